; Scala tags for scout. Written for scout; see grammars/README.md.
; `def`s in class, trait, object and enum bodies are kind `method`; top-level,
; local and extension `def`s are kind `function`. Objects are kind `class`.
; Class parameters are fields of their class.

; ---- definitions ----------------------------------------------------------

(package_clause
  name: (package_identifier) @name.definition.module) @definition.module

(class_definition
  name: (identifier) @name.definition.class) @definition.class

(object_definition
  name: (identifier) @name.definition.class) @definition.class

(trait_definition
  name: (identifier) @name.definition.trait) @definition.trait

(enum_definition
  name: (identifier) @name.definition.enum) @definition.enum

(simple_enum_case
  name: (identifier) @name.definition.constant) @definition.constant

(full_enum_case
  name: (identifier) @name.definition.class) @definition.class

(type_definition
  name: (type_identifier) @name.definition.type) @definition.type

(class_parameter
  name: (identifier) @name.definition.field) @definition.field

(given_definition
  name: (identifier) @name.definition.constant) @definition.constant

; methods
(template_body
  [(function_definition name: (identifier) @name.definition.method)
   (function_declaration name: (identifier) @name.definition.method)] @definition.method)
(enum_body
  [(function_definition name: (identifier) @name.definition.method)
   (function_declaration name: (identifier) @name.definition.method)] @definition.method)

; top-level, local and extension functions
(compilation_unit
  [(function_definition name: (identifier) @name.definition.function)
   (function_declaration name: (identifier) @name.definition.function)] @definition.function)
(block
  (function_definition name: (identifier) @name.definition.function) @definition.function)
(indented_block
  (function_definition name: (identifier) @name.definition.function) @definition.function)
(extension_definition
  body: (function_definition name: (identifier) @name.definition.function) @definition.function)
(extension_definition
  body: (template_body
    (function_definition name: (identifier) @name.definition.function) @definition.function))

; vals and vars: members are fields, top-level ones constants
(template_body
  [(val_definition pattern: (identifier) @name.definition.field)
   (var_definition pattern: (identifier) @name.definition.field)
   (val_declaration name: (identifier) @name.definition.field)
   (var_declaration name: (identifier) @name.definition.field)] @definition.field)
(compilation_unit
  [(val_definition pattern: (identifier) @name.definition.constant)
   (var_definition pattern: (identifier) @name.definition.constant)] @definition.constant)

; ---- references -----------------------------------------------------------

; f(x), a.f(x), f[T](x); a capitalized callee is a companion apply (Foo(...))
(call_expression
  function: [
    (identifier) @name.reference.call
    (field_expression field: (identifier) @name.reference.call)
    (generic_function function: (identifier) @name.reference.call)
    (generic_function function: (field_expression field: (identifier) @name.reference.call))
  ]
  (#not-match? @name.reference.call "^[A-Z]"))
(call_expression
  function: [
    (identifier) @name.reference.class
    (field_expression field: (identifier) @name.reference.class)
  ]
  (#match? @name.reference.class "^[A-Z]"))
(generic_function
  function: [
    (identifier) @name.reference.call
    (field_expression field: (identifier) @name.reference.call)
  ])

; new Foo, new Foo[T] with Bar
(instance_expression
  [(type_identifier) @name.reference.class
   (generic_type type: (type_identifier) @name.reference.class)
   (compound_type base: (type_identifier) @name.reference.class)
   (compound_type base: (generic_type type: (type_identifier) @name.reference.class))
   (compound_type extra: (type_identifier) @name.reference.class)])

(extends_clause
  type: [
    (type_identifier) @name.reference.class
    (generic_type type: (type_identifier) @name.reference.class)
    (stable_type_identifier (type_identifier) @name.reference.class .)
  ])

; type uses
(_ type: (type_identifier) @name.reference.type)
(_ return_type: (type_identifier) @name.reference.type)
(generic_type type: (type_identifier) @name.reference.type)
(type_arguments (type_identifier) @name.reference.type)
(parameter_types (type_identifier) @name.reference.type)
(tuple_type (type_identifier) @name.reference.type)
(stable_type_identifier (type_identifier) @name.reference.type .)
(compound_type [base: (type_identifier) extra: (type_identifier)] @name.reference.type)

; import a.b.C, import a.b.{C, D => E}
(import_declaration
  (identifier) @name.reference.import .)
(import_declaration
  (namespace_selectors
    [(identifier) @name.reference.import
     (arrow_renamed_identifier name: (identifier) @name.reference.import)]))
