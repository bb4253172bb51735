; TypeScript tags for scout. Written for scout; see grammars/README.md.
; grammars/tsx-tags.scm inherits these patterns and adds JSX element references.

; ---- definitions ----------------------------------------------------------

(class_declaration
  name: (type_identifier) @name.definition.class) @definition.class

(abstract_class_declaration
  name: (type_identifier) @name.definition.class) @definition.class

(variable_declarator
  name: (identifier) @name.definition.class
  value: (class)) @definition.class

(interface_declaration
  name: (type_identifier) @name.definition.interface) @definition.interface

(type_alias_declaration
  name: (type_identifier) @name.definition.type) @definition.type

(enum_declaration
  name: (identifier) @name.definition.enum) @definition.enum

; namespace N {...} / module N.M {...} / declare module "m" {...}
(internal_module
  name: [(identifier) (nested_identifier)] @name.definition.module) @definition.module
(module
  name: [
    (identifier) @name.definition.module
    (nested_identifier) @name.definition.module
    (string (string_fragment) @name.definition.module)
  ]) @definition.module

(method_definition
  name: [(property_identifier) (private_property_identifier)] @name.definition.method) @definition.method

; members of interfaces and of `type T = { ... }` (not of inline object types)
(interface_body
  (method_signature
    name: [(property_identifier) (private_property_identifier)] @name.definition.method) @definition.method)
(type_alias_declaration
  value: (object_type
    (method_signature
      name: [(property_identifier) (private_property_identifier)] @name.definition.method) @definition.method))

(abstract_method_signature
  name: [(property_identifier) (private_property_identifier)] @name.definition.method) @definition.method

(public_field_definition
  name: [(property_identifier) (private_property_identifier)] @name.definition.field) @definition.field

(interface_body
  (property_signature
    name: (property_identifier) @name.definition.field) @definition.field)
(type_alias_declaration
  value: (object_type
    (property_signature
      name: (property_identifier) @name.definition.field) @definition.field))

(function_declaration
  name: (identifier) @name.definition.function) @definition.function

(generator_function_declaration
  name: (identifier) @name.definition.function) @definition.function

; overloads and `declare function`
(function_signature
  name: (identifier) @name.definition.function) @definition.function

; const f = () => ..., let g = function () {...}
(variable_declarator
  name: (identifier) @name.definition.function
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

; obj.f = function () {...}
(assignment_expression
  left: [
    (identifier) @name.definition.function
    (member_expression property: (property_identifier) @name.definition.function)
  ]
  right: [(arrow_function) (function_expression) (generator_function)]) @definition.function

; { f: function () {...}, g: () => ... }
(pair
  key: (property_identifier) @name.definition.function
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

; top-level constants: const X = <not a function>
(program
  (lexical_declaration
    (variable_declarator
      name: (identifier) @name.definition.constant
      value: [(new_expression) (call_expression) (number) (string) (template_string)
              (object) (array) (identifier) (member_expression) (binary_expression)
              (true) (false) (null) (regex) (await_expression) (as_expression)
              (satisfies_expression)]) @definition.constant))
(program
  (export_statement
    declaration: (lexical_declaration
      (variable_declarator
        name: (identifier) @name.definition.constant
        value: [(new_expression) (call_expression) (number) (string) (template_string)
                (object) (array) (identifier) (member_expression) (binary_expression)
                (true) (false) (null) (regex) (await_expression) (as_expression)
                (satisfies_expression)]) @definition.constant)))

; error recovery can turn a declaration into an expression inside an ERROR node
(ERROR
  (function_expression
    name: (identifier) @name.definition.function) @definition.function)

; ---- references -----------------------------------------------------------

(call_expression
  function: [
    (identifier) @name.reference.call
    (member_expression property: [(property_identifier) (private_property_identifier)] @name.reference.call)
  ])

(new_expression
  constructor: [
    (identifier) @name.reference.class
    (member_expression property: (property_identifier) @name.reference.class)
  ])

(decorator (identifier) @name.reference.call)
(decorator (member_expression property: (property_identifier) @name.reference.call))

; class A extends B<T> implements I, ns.J
(extends_clause
  value: [
    (identifier) @name.reference.class
    (member_expression property: (property_identifier) @name.reference.class)
    (call_expression function: (identifier) @name.reference.call)
  ])
(implements_clause (type_identifier) @name.reference.interface)
(extends_type_clause type: (type_identifier) @name.reference.interface)

; type uses: a type_identifier anywhere but in the name of a declaration
(generic_type name: (type_identifier) @name.reference.type)
(nested_type_identifier name: (type_identifier) @name.reference.type)
[
  (type_annotation (type_identifier) @name.reference.type)
  (opting_type_annotation (type_identifier) @name.reference.type)
  (omitting_type_annotation (type_identifier) @name.reference.type)
  (adding_type_annotation (type_identifier) @name.reference.type)
  (type_arguments (type_identifier) @name.reference.type)
  (union_type (type_identifier) @name.reference.type)
  (intersection_type (type_identifier) @name.reference.type)
  (array_type (type_identifier) @name.reference.type)
  (tuple_type (type_identifier) @name.reference.type)
  (parenthesized_type (type_identifier) @name.reference.type)
  (readonly_type (type_identifier) @name.reference.type)
  (optional_type (type_identifier) @name.reference.type)
  (rest_type (type_identifier) @name.reference.type)
  (lookup_type (type_identifier) @name.reference.type)
  (index_type_query (type_identifier) @name.reference.type)
  (conditional_type (type_identifier) @name.reference.type)
  (constraint (type_identifier) @name.reference.type)
  (default_type (type_identifier) @name.reference.type)
  (function_type return_type: (type_identifier) @name.reference.type)
  (type_predicate type: (type_identifier) @name.reference.type)
  (as_expression (type_identifier) @name.reference.type)
  (satisfies_expression (type_identifier) @name.reference.type)
  (type_alias_declaration value: (type_identifier) @name.reference.type)
]

(import_specifier name: (identifier) @name.reference.import)
(import_clause (identifier) @name.reference.import)
