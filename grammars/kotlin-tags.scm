; Kotlin tags for scout. Written for scout; see grammars/README.md.
; Functions in class, object and enum bodies are kind `method`; top-level and
; local functions are kind `function`. `val`/`var` constructor parameters are fields.
; Companion objects have no name, so their members' parent is the enclosing class.

; ---- definitions ----------------------------------------------------------

(package_header
  (qualified_identifier) @name.definition.module) @definition.module

(class_declaration
  "class"
  name: (identifier) @name.definition.class) @definition.class

(class_declaration
  "interface"
  name: (identifier) @name.definition.interface) @definition.interface

(object_declaration
  name: (identifier) @name.definition.class) @definition.class

(type_alias
  (identifier) @name.definition.type) @definition.type

(enum_entry
  (identifier) @name.definition.constant) @definition.constant

; methods
(class_body
  (function_declaration
    name: (identifier) @name.definition.method) @definition.method)
(enum_class_body
  (function_declaration
    name: (identifier) @name.definition.method) @definition.method)
(class_body
  (secondary_constructor
    "constructor" @name.definition.method) @definition.method)

; top-level and local functions
(source_file
  (function_declaration
    name: (identifier) @name.definition.function) @definition.function)
(block
  (function_declaration
    name: (identifier) @name.definition.function) @definition.function)
(lambda_literal
  (function_declaration
    name: (identifier) @name.definition.function) @definition.function)
(ERROR
  (function_declaration
    name: (identifier) @name.definition.function) @definition.function)

; properties: top-level ones are constants, members are fields
(source_file
  (property_declaration
    (variable_declaration
      (identifier) @name.definition.constant)) @definition.constant)
(class_body
  (property_declaration
    (variable_declaration
      (identifier) @name.definition.field)) @definition.field)
(enum_class_body
  (property_declaration
    (variable_declaration
      (identifier) @name.definition.field)) @definition.field)
(class_parameter
  ["val" "var"]
  (identifier) @name.definition.field) @definition.field

; ---- references -----------------------------------------------------------

; f(), a.b.f(), f<T>(), f { ... }
(call_expression
  .
  [
    (identifier) @name.reference.call
    (navigation_expression (identifier) @name.reference.call .)
  ])

; ::f, Foo::f
(callable_reference
  (identifier) @name.reference.call .)

; supertypes
(delegation_specifier
  [
    (user_type (identifier) @name.reference.class)
    (constructor_invocation (user_type (identifier) @name.reference.class))
    (explicit_delegation (user_type (identifier) @name.reference.class))
  ])

; type uses and annotations
(user_type
  (identifier) @name.reference.type)

(import
  (qualified_identifier
    (identifier) @name.reference.import .))
