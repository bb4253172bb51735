; PHP tags for scout. Written for scout; see grammars/README.md.
; Properties and class constants span their element (`$x = ...`), so that each
; of `private $a, $b;` gets its own definition.

; ---- definitions ----------------------------------------------------------

(namespace_definition
  name: (namespace_name) @name.definition.module) @definition.module

(class_declaration
  name: (name) @name.definition.class) @definition.class

(interface_declaration
  name: (name) @name.definition.interface) @definition.interface

(trait_declaration
  name: (name) @name.definition.trait) @definition.trait

(enum_declaration
  name: (name) @name.definition.enum) @definition.enum

(enum_case
  name: (name) @name.definition.constant) @definition.constant

(method_declaration
  name: (name) @name.definition.method) @definition.method

(function_definition
  name: (name) @name.definition.function) @definition.function

(property_element
  name: (variable_name (name) @name.definition.field)) @definition.field

(const_element
  (name) @name.definition.constant) @definition.constant

; ---- references -----------------------------------------------------------

(function_call_expression
  function: [
    (name) @name.reference.call
    (qualified_name (name) @name.reference.call .)
  ])

(member_call_expression
  name: (name) @name.reference.call)

(nullsafe_member_call_expression
  name: (name) @name.reference.call)

(scoped_call_expression
  scope: [
    (name) @name.reference.class
    (qualified_name (name) @name.reference.class .)
  ]
  name: (name) @name.reference.call)

(object_creation_expression
  [
    (name) @name.reference.class
    (qualified_name (name) @name.reference.class .)
  ]
  (#not-match? @name.reference.class "^(static|self|parent)$"))

(class_constant_access_expression
  .
  [
    (name) @name.reference.class
    (qualified_name (name) @name.reference.class .)
  ]
  (#not-match? @name.reference.class "^(static|self|parent)$"))

(base_clause
  [(name) @name.reference.class
   (qualified_name (name) @name.reference.class .)])

(class_interface_clause
  [(name) @name.reference.interface
   (qualified_name (name) @name.reference.interface .)])

(use_declaration
  [(name) @name.reference.trait
   (qualified_name (name) @name.reference.trait .)])

(attribute
  [(name) @name.reference.class
   (qualified_name (name) @name.reference.class .)])

; type declarations: Foo, \A\Foo, ?Foo, Foo|Bar
(named_type
  [(name) @name.reference.type
   (qualified_name (name) @name.reference.type .)]
  (#not-match? @name.reference.type "^(static|self|parent)$"))

; use A\B\C; use A\B\C as D; (the imported name, not the alias)
(namespace_use_clause
  .
  [(name) @name.reference.import
   (qualified_name (name) @name.reference.import .)])
