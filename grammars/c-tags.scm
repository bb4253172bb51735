; C tags for scout. Written for scout; see grammars/README.md.
; Macro definitions span only their name's line: the grammar's preproc_def node
; ends at the start of the next line, which would overstate the span.
; `typedef struct s {...} s_t;` gives a struct `s` spanning the body and a type
; `s_t` on the typedef name's line; an anonymous `typedef struct {...} s_t;`
; gives only the type, spanning the whole typedef.

; ---- definitions ----------------------------------------------------------

; functions (also returning pointers), and prototypes
(function_definition
  declarator: (function_declarator
    declarator: (identifier) @name.definition.function)) @definition.function
(function_definition
  declarator: (pointer_declarator
    declarator: (function_declarator
      declarator: (identifier) @name.definition.function))) @definition.function
(function_definition
  declarator: (pointer_declarator
    declarator: (pointer_declarator
      declarator: (function_declarator
        declarator: (identifier) @name.definition.function)))) @definition.function
(declaration
  declarator: (function_declarator
    declarator: (identifier) @name.definition.function)) @definition.function
(declaration
  declarator: (pointer_declarator
    declarator: (function_declarator
      declarator: (identifier) @name.definition.function))) @definition.function

(struct_specifier
  name: (type_identifier) @name.definition.struct
  body: (_)) @definition.struct

(union_specifier
  name: (type_identifier) @name.definition.struct
  body: (_)) @definition.struct

(enum_specifier
  name: (type_identifier) @name.definition.enum
  body: (_)) @definition.enum

(enumerator
  name: (identifier) @name.definition.constant) @definition.constant

; struct/union fields: a declaration of one field spans the declaration; in
; `int a, *b;` each field spans its own declarator
(field_declaration
  type: (_) .
  declarator: [
    (field_identifier) @name.definition.field
    (pointer_declarator declarator: (field_identifier) @name.definition.field)
    (array_declarator declarator: (field_identifier) @name.definition.field)
    (function_declarator declarator: (parenthesized_declarator
      (pointer_declarator declarator: (field_identifier) @name.definition.field)))
  ] .) @definition.field
(field_declaration
  type: (_) .
  declarator: [
    (field_identifier) @name.definition.field
    (pointer_declarator declarator: (field_identifier) @name.definition.field)
    (array_declarator declarator: (field_identifier) @name.definition.field)
    (function_declarator declarator: (parenthesized_declarator
      (pointer_declarator declarator: (field_identifier) @name.definition.field)))
  ] .
  (bitfield_clause) .) @definition.field
(field_declaration
  declarator: [
    (field_identifier) @name.definition.field
    (pointer_declarator declarator: (field_identifier) @name.definition.field)
    (array_declarator declarator: (field_identifier) @name.definition.field)
    (function_declarator declarator: (parenthesized_declarator
      (pointer_declarator declarator: (field_identifier) @name.definition.field)))
  ] @definition.field
  declarator: (_))
(field_declaration
  declarator: (_)
  declarator: [
    (field_identifier) @name.definition.field
    (pointer_declarator declarator: (field_identifier) @name.definition.field)
    (array_declarator declarator: (field_identifier) @name.definition.field)
    (function_declarator declarator: (parenthesized_declarator
      (pointer_declarator declarator: (field_identifier) @name.definition.field)))
  ] @definition.field)

; typedefs: of a named struct/union/enum with a body, only the typedef name's line
(type_definition
  type: [
    (struct_specifier name: (_) body: (_))
    (union_specifier name: (_) body: (_))
    (enum_specifier name: (_) body: (_))
  ]
  declarator: (type_identifier) @name.definition.type @definition.type)

; ... of an anonymous struct/union/enum, or of a bare tag, the whole typedef
(type_definition
  type: [
    (struct_specifier !name)
    (union_specifier !name)
    (enum_specifier !name)
    (struct_specifier !body)
    (union_specifier !body)
    (enum_specifier !body)
    (primitive_type)
    (type_identifier)
    (sized_type_specifier)
    (macro_type_specifier)
  ]
  declarator: (type_identifier) @name.definition.type) @definition.type

; ... pointer, array and function-pointer typedefs
(type_definition
  declarator: [
    (pointer_declarator declarator: (type_identifier) @name.definition.type)
    (array_declarator declarator: (type_identifier) @name.definition.type)
    (function_declarator declarator: (parenthesized_declarator
      (pointer_declarator declarator: (type_identifier) @name.definition.type)))
  ]) @definition.type

; file-scope variables, spanning the declaration (one name) or the declarator (several)
(translation_unit
  (declaration
    type: (_) .
    declarator: [
      (identifier) @name.definition.variable
      (init_declarator declarator: (identifier) @name.definition.variable)
      (init_declarator declarator: (pointer_declarator declarator: (identifier) @name.definition.variable))
      (init_declarator declarator: (array_declarator declarator: (identifier) @name.definition.variable))
      (pointer_declarator declarator: (identifier) @name.definition.variable)
      (array_declarator declarator: (identifier) @name.definition.variable)
    ] .) @definition.variable)
(translation_unit
  (declaration
    declarator: [
      (identifier) @name.definition.variable
      (init_declarator declarator: (identifier) @name.definition.variable)
      (init_declarator declarator: (pointer_declarator declarator: (identifier) @name.definition.variable))
      (init_declarator declarator: (array_declarator declarator: (identifier) @name.definition.variable))
      (pointer_declarator declarator: (identifier) @name.definition.variable)
      (array_declarator declarator: (identifier) @name.definition.variable)
    ] @definition.variable
    declarator: (_)))
(translation_unit
  (declaration
    declarator: (_)
    declarator: [
      (identifier) @name.definition.variable
      (init_declarator declarator: (identifier) @name.definition.variable)
      (init_declarator declarator: (pointer_declarator declarator: (identifier) @name.definition.variable))
      (init_declarator declarator: (array_declarator declarator: (identifier) @name.definition.variable))
      (pointer_declarator declarator: (identifier) @name.definition.variable)
      (array_declarator declarator: (identifier) @name.definition.variable)
    ] @definition.variable))

(preproc_def
  name: (identifier) @name.definition.macro)
(preproc_function_def
  name: (identifier) @name.definition.macro)

; ---- references -----------------------------------------------------------

(call_expression
  function: [
    (identifier) @name.reference.call
    (field_expression field: (field_identifier) @name.reference.call)
    (parenthesized_expression (pointer_expression argument: (identifier) @name.reference.call))
  ])

(_ type: (type_identifier) @name.reference.type)
(_ type: [(struct_specifier !body name: (type_identifier) @name.reference.type)
          (union_specifier !body name: (type_identifier) @name.reference.type)
          (enum_specifier !body name: (type_identifier) @name.reference.type)])

(preproc_include
  path: (string_literal (string_content) @name.reference.import))
