; C# tags for scout. Written for scout; see grammars/README.md.
; Declarations span their attributes. Constructors, destructors and operators
; are kind `method` (named after the class, or `operator`).

; ---- definitions ----------------------------------------------------------

(namespace_declaration
  name: [(identifier) (qualified_name)] @name.definition.module) @definition.module

(file_scoped_namespace_declaration
  name: [(identifier) (qualified_name)] @name.definition.module) @definition.module

(class_declaration
  name: (identifier) @name.definition.class) @definition.class

(record_declaration
  name: (identifier) @name.definition.class) @definition.class

(struct_declaration
  name: (identifier) @name.definition.struct) @definition.struct

(interface_declaration
  name: (identifier) @name.definition.interface) @definition.interface

(enum_declaration
  name: (identifier) @name.definition.enum) @definition.enum

(enum_member_declaration
  name: (identifier) @name.definition.constant) @definition.constant

(delegate_declaration
  name: (identifier) @name.definition.type) @definition.type

(method_declaration
  name: (identifier) @name.definition.method) @definition.method

(constructor_declaration
  name: (identifier) @name.definition.method) @definition.method

(destructor_declaration
  name: (identifier) @name.definition.method) @definition.method

(operator_declaration
  "operator" @name.definition.method) @definition.method

(local_function_statement
  name: (identifier) @name.definition.function) @definition.function

(property_declaration
  name: (identifier) @name.definition.field) @definition.field

; fields and events: one name spans the declaration; `int a, b;` spans each declarator
(field_declaration
  (variable_declaration
    type: (_) .
    (variable_declarator name: (identifier) @name.definition.field) .)) @definition.field
(field_declaration
  (variable_declaration
    (variable_declarator name: (identifier) @name.definition.field) @definition.field
    (variable_declarator)))
(field_declaration
  (variable_declaration
    (variable_declarator)
    (variable_declarator name: (identifier) @name.definition.field) @definition.field))

(event_field_declaration
  (variable_declaration
    (variable_declarator name: (identifier) @name.definition.field))) @definition.field

(event_declaration
  name: (identifier) @name.definition.field) @definition.field

; ---- references -----------------------------------------------------------

(invocation_expression
  function: [
    (identifier) @name.reference.call
    (generic_name . (identifier) @name.reference.call)
    (member_access_expression name: (identifier) @name.reference.call)
    (member_access_expression name: (generic_name . (identifier) @name.reference.call))
    (conditional_access_expression (member_binding_expression name: (identifier) @name.reference.call))
  ])

(object_creation_expression
  type: [
    (identifier) @name.reference.class
    (generic_name . (identifier) @name.reference.class)
    (qualified_name name: (identifier) @name.reference.class)
  ])

(base_list
  [(identifier) @name.reference.class
   (generic_name . (identifier) @name.reference.class)
   (qualified_name name: (identifier) @name.reference.class)])

(attribute
  name: [(identifier) @name.reference.class
         (qualified_name name: (identifier) @name.reference.class)])

; type uses
(_ type: (identifier) @name.reference.type)
(_ returns: (identifier) @name.reference.type)
(_ type: (qualified_name name: (identifier) @name.reference.type))
(_ returns: (qualified_name name: (identifier) @name.reference.type))
(_ type: (generic_name . (identifier) @name.reference.type))
(_ returns: (generic_name . (identifier) @name.reference.type))
(type_argument_list (identifier) @name.reference.type)
(type_argument_list (generic_name . (identifier) @name.reference.type))

(using_directive
  [(identifier) @name.reference.import
   (qualified_name name: (identifier) @name.reference.import)])
