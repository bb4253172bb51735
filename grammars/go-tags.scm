; Go tags for scout. Written for scout; see grammars/README.md.
; Methods with receivers are not nested in their type's declaration: the receiver's
; type, captured as @receiver, is their parent (`RouterGroup.Handle`); interface method
; specs and struct fields get the type as parent by nesting.

; ---- definitions ----------------------------------------------------------

(package_clause
  (package_identifier) @name.definition.module) @definition.module

(function_declaration
  name: (identifier) @name.definition.function) @definition.function

(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      type: [(type_identifier) @receiver
             (pointer_type (type_identifier) @receiver)
             (generic_type type: (type_identifier) @receiver)
             (pointer_type (generic_type type: (type_identifier) @receiver))]))
  name: (field_identifier) @name.definition.method) @definition.method

(type_spec
  name: (type_identifier) @name.definition.struct
  type: (struct_type)) @definition.struct

(type_spec
  name: (type_identifier) @name.definition.interface
  type: (interface_type)) @definition.interface

(type_spec
  name: (type_identifier) @name.definition.type
  type: [(type_identifier) (qualified_type) (generic_type) (pointer_type) (slice_type)
         (array_type) (map_type) (channel_type) (function_type) (parenthesized_type)]) @definition.type

(type_alias
  name: (type_identifier) @name.definition.type) @definition.type

; struct fields: one name spans the declaration; in `X, Y int` each name spans itself
(field_declaration
  .
  (field_identifier) @name.definition.field
  .
  [(type_identifier) (qualified_type) (generic_type) (pointer_type) (slice_type)
         (array_type) (map_type) (channel_type) (function_type) (struct_type)
         (interface_type) (parenthesized_type)]) @definition.field
(field_declaration
  (field_identifier) @name.definition.field
  .
  (field_identifier))
(field_declaration
  (field_identifier)
  .
  (field_identifier) @name.definition.field)

(interface_type
  (method_elem
    name: (field_identifier) @name.definition.method) @definition.method)

; package-level const and var: one name spans the spec; in `a, b = 1, 2` each
; name spans itself
(source_file
  (const_declaration
    (const_spec
      .
      (identifier) @name.definition.constant
      .) @definition.constant))
(source_file
  (const_declaration
    (const_spec
      .
      (identifier) @name.definition.constant
      .
      [(expression_list) (type_identifier) (qualified_type) (generic_type) (pointer_type) (slice_type)
              (array_type) (map_type) (channel_type) (function_type) (struct_type)
              (interface_type) (parenthesized_type)]) @definition.constant))
(source_file
  (const_declaration
    (const_spec
      (identifier) @name.definition.constant
      .
      (identifier))))
(source_file
  (const_declaration
    (const_spec
      (identifier)
      .
      (identifier) @name.definition.constant)))
(source_file
  (var_declaration
    (var_spec
      .
      (identifier) @name.definition.variable
      .) @definition.variable))
(source_file
  (var_declaration
    (var_spec
      .
      (identifier) @name.definition.variable
      .
      [(expression_list) (type_identifier) (qualified_type) (generic_type) (pointer_type) (slice_type)
              (array_type) (map_type) (channel_type) (function_type) (struct_type)
              (interface_type) (parenthesized_type)]) @definition.variable))
(source_file
  (var_declaration
    (var_spec
      (identifier) @name.definition.variable
      .
      (identifier))))
(source_file
  (var_declaration
    (var_spec
      (identifier)
      .
      (identifier) @name.definition.variable)))

; ---- references -----------------------------------------------------------

(call_expression
  function: [
    (identifier) @name.reference.call
    (parenthesized_expression (identifier) @name.reference.call)
    (selector_expression field: (field_identifier) @name.reference.call)
    (parenthesized_expression (selector_expression field: (field_identifier) @name.reference.call))
    (index_expression operand: (identifier) @name.reference.call)
    (index_expression operand: (selector_expression field: (field_identifier) @name.reference.call))
  ])

; type uses (a type_identifier outside a declaration's name)
(_ type: (type_identifier) @name.reference.type)
(_ result: (type_identifier) @name.reference.type)
(_ element: (type_identifier) @name.reference.type)
(_ key: (type_identifier) @name.reference.type)
(map_type value: (type_identifier) @name.reference.type)
(channel_type value: (type_identifier) @name.reference.type)
(qualified_type name: (type_identifier) @name.reference.type)
(pointer_type (type_identifier) @name.reference.type)
(type_elem (type_identifier) @name.reference.type)
(negated_type (type_identifier) @name.reference.type)
(type_constraint (type_identifier) @name.reference.type)
(parenthesized_type (type_identifier) @name.reference.type)

(import_spec
  path: (interpreted_string_literal
    (interpreted_string_literal_content) @name.reference.import))
