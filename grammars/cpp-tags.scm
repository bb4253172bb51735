; C++ tags for scout. Written for scout; see grammars/README.md.
; Functions defined or declared in a class body are kind `method` with the class
; as parent; out-of-line definitions `A::f` are kind `method` named `f` (`~A`,
; `operator==`), whose parent is the enclosing namespace, if any. Constructors
; are told from free functions by their missing return type. Spans start at the
; declaration itself: a preceding `template <...>` line is not included.
; Macros span their name's line only (see c-tags.scm). This file is kept small
; on purpose: the C++ grammar is large and each pattern costs query-compile time.

; ---- definitions ----------------------------------------------------------

; methods: name is a field_identifier (in-class), a destructor, or qualified (A::f)
(function_definition
  declarator: [
    (function_declarator declarator: [
      (field_identifier) @name.definition.method
      (destructor_name) @name.definition.method
      (qualified_identifier name: [(identifier) (destructor_name) (operator_name)] @name.definition.method)])
    (pointer_declarator declarator: (function_declarator declarator: [
      (field_identifier) @name.definition.method
      (qualified_identifier name: [(identifier) (operator_name)] @name.definition.method)]))
    (reference_declarator (function_declarator declarator: [
      (field_identifier) @name.definition.method
      (qualified_identifier name: [(identifier) (operator_name)] @name.definition.method)]))
  ]) @definition.method

; constructors defined in the class body (no return type)
(function_definition
  !type
  declarator: (function_declarator
    declarator: (identifier) @name.definition.method)) @definition.method

; free functions (and operators) have a return type
(function_definition
  type: (_)
  declarator: [
    (function_declarator declarator: [(identifier) (operator_name)] @name.definition.function)
    (pointer_declarator declarator: (function_declarator
      declarator: [(identifier) (operator_name)] @name.definition.function))
    (reference_declarator (function_declarator
      declarator: [(identifier) (operator_name)] @name.definition.function))
  ]) @definition.function

; prototypes: free functions, member functions, constructors/destructors in a class
(declaration
  type: (_)
  declarator: [
    (function_declarator declarator: [(identifier) (operator_name)] @name.definition.function)
    (pointer_declarator declarator: (function_declarator
      declarator: [(identifier) (operator_name)] @name.definition.function))
    (reference_declarator (function_declarator
      declarator: [(identifier) (operator_name)] @name.definition.function))
  ]) @definition.function
(field_declaration
  declarator: [
    (function_declarator declarator: [(field_identifier) (operator_name)] @name.definition.method)
    (pointer_declarator declarator: (function_declarator
      declarator: [(field_identifier) (operator_name)] @name.definition.method))
    (reference_declarator (function_declarator
      declarator: [(field_identifier) (operator_name)] @name.definition.method))
  ]) @definition.method
(declaration
  !type
  declarator: (function_declarator
    declarator: [(identifier) (destructor_name)] @name.definition.method)) @definition.method

(class_specifier
  name: [(type_identifier) @name.definition.class
         (template_type name: (type_identifier) @name.definition.class)]
  body: (_)) @definition.class

(struct_specifier
  name: [(type_identifier) @name.definition.struct
         (template_type name: (type_identifier) @name.definition.struct)]
  body: (_)) @definition.struct

(union_specifier
  name: (type_identifier) @name.definition.struct
  body: (_)) @definition.struct

(enum_specifier
  name: (type_identifier) @name.definition.enum
  body: (_)) @definition.enum

(enumerator
  name: (identifier) @name.definition.constant) @definition.constant

(namespace_definition
  name: [(namespace_identifier) (nested_namespace_specifier)] @name.definition.module) @definition.module

(alias_declaration
  name: (type_identifier) @name.definition.type) @definition.type

; typedefs: of a named class/struct/union/enum with a body, only the typedef name's
; line; otherwise the whole typedef
(type_definition
  type: [
    (struct_specifier name: (_) body: (_))
    (class_specifier name: (_) body: (_))
    (union_specifier name: (_) body: (_))
    (enum_specifier name: (_) body: (_))
  ]
  declarator: (type_identifier) @name.definition.type @definition.type)
(type_definition
  type: [
    (struct_specifier !name)
    (union_specifier !name)
    (enum_specifier !name)
    (primitive_type)
    (type_identifier)
    (sized_type_specifier)
    (qualified_identifier)
    (template_type)
  ]
  declarator: (type_identifier) @name.definition.type) @definition.type
(type_definition
  declarator: (pointer_declarator declarator: (type_identifier) @name.definition.type)) @definition.type

; data members: a declaration of one member spans the declaration; in
; `int a, *b;` each member spans its own declarator
(field_declaration
  type: (_) .
  declarator: [
    (field_identifier) @name.definition.field
    (pointer_declarator declarator: (field_identifier) @name.definition.field)
    (array_declarator declarator: (field_identifier) @name.definition.field)
  ] .) @definition.field
(field_declaration
  type: (_) .
  declarator: [
    (field_identifier) @name.definition.field
    (pointer_declarator declarator: (field_identifier) @name.definition.field)
  ] .
  default_value: (_) .) @definition.field
(field_declaration
  type: (_) .
  declarator: (field_identifier) @name.definition.field .
  (bitfield_clause) .) @definition.field
(field_declaration
  declarator: [
    (field_identifier) @name.definition.field
    (pointer_declarator declarator: (field_identifier) @name.definition.field)
  ] @definition.field
  declarator: (_))
(field_declaration
  declarator: (_)
  declarator: [
    (field_identifier) @name.definition.field
    (pointer_declarator declarator: (field_identifier) @name.definition.field)
  ] @definition.field)

; namespace-scope variables (one declarator per declaration)
(translation_unit
  (declaration
    type: (_) .
    declarator: [
      (identifier) @name.definition.variable
      (init_declarator declarator: (identifier) @name.definition.variable)
    ] .) @definition.variable)
(declaration_list
  (declaration
    type: (_) .
    declarator: [
      (identifier) @name.definition.variable
      (init_declarator declarator: (identifier) @name.definition.variable)
    ] .) @definition.variable)

(preproc_def
  name: (identifier) @name.definition.macro)
(preproc_function_def
  name: (identifier) @name.definition.macro)

; ---- references -----------------------------------------------------------

(call_expression
  function: [
    (identifier) @name.reference.call
    (field_expression field: (field_identifier) @name.reference.call)
    (qualified_identifier name: (identifier) @name.reference.call)
    (template_function name: (identifier) @name.reference.call)
    (qualified_identifier name: (template_function name: (identifier) @name.reference.call))
  ])

(new_expression
  type: [
    (type_identifier) @name.reference.class
    (qualified_identifier name: (type_identifier) @name.reference.class)
    (template_type name: (type_identifier) @name.reference.class)
  ])

(base_class_clause
  [(type_identifier) @name.reference.class
   (qualified_identifier name: (type_identifier) @name.reference.class)
   (template_type name: (type_identifier) @name.reference.class)])

; type uses: T, ns::T, T<U>, struct T
(_ type: (type_identifier) @name.reference.type)
(qualified_identifier name: (type_identifier) @name.reference.type)
(template_type name: (type_identifier) @name.reference.type)
(_ type: (struct_specifier !body name: (type_identifier) @name.reference.type))

(preproc_include
  path: (string_literal (string_content) @name.reference.import))
(using_declaration
  [(identifier) @name.reference.import
   (qualified_identifier name: (identifier) @name.reference.import)])
