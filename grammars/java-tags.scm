; Java tags for scout. Written for scout; see grammars/README.md.
; Constructors are kind `method` named after the class; annotations on a
; declaration are part of its modifiers and so of its span.

; ---- definitions ----------------------------------------------------------

(package_declaration
  [(identifier) (scoped_identifier)] @name.definition.module) @definition.module

(class_declaration
  name: (identifier) @name.definition.class) @definition.class

(record_declaration
  name: (identifier) @name.definition.class) @definition.class

(interface_declaration
  name: (identifier) @name.definition.interface) @definition.interface

(annotation_type_declaration
  name: (identifier) @name.definition.interface) @definition.interface

(enum_declaration
  name: (identifier) @name.definition.enum) @definition.enum

(method_declaration
  name: (identifier) @name.definition.method) @definition.method

(constructor_declaration
  name: (identifier) @name.definition.method) @definition.method

(compact_constructor_declaration
  name: (identifier) @name.definition.method) @definition.method

(annotation_type_element_declaration
  name: (identifier) @name.definition.method) @definition.method

; fields: one name spans the declaration; in `int a, b;` each declarator spans itself
(field_declaration
  type: (_) .
  (variable_declarator
    name: (identifier) @name.definition.field) .) @definition.field
(field_declaration
  (variable_declarator
    name: (identifier) @name.definition.field) @definition.field
  (variable_declarator))
(field_declaration
  (variable_declarator)
  (variable_declarator
    name: (identifier) @name.definition.field) @definition.field)

(constant_declaration
  type: (_) .
  (variable_declarator
    name: (identifier) @name.definition.constant) .) @definition.constant
(constant_declaration
  (variable_declarator
    name: (identifier) @name.definition.constant) @definition.constant
  (variable_declarator))
(constant_declaration
  (variable_declarator)
  (variable_declarator
    name: (identifier) @name.definition.constant) @definition.constant)

(enum_constant
  name: (identifier) @name.definition.constant) @definition.constant

; ---- references -----------------------------------------------------------

(method_invocation
  name: (identifier) @name.reference.call)

; Type::method and this::method
(method_reference
  (identifier) @name.reference.call .)

(object_creation_expression
  type: [
    (type_identifier) @name.reference.class
    (scoped_type_identifier (type_identifier) @name.reference.class .)
    (generic_type (type_identifier) @name.reference.class)
    (generic_type (scoped_type_identifier (type_identifier) @name.reference.class .))
  ])

(superclass
  [(type_identifier) @name.reference.class
   (scoped_type_identifier (type_identifier) @name.reference.class .)
   (generic_type (type_identifier) @name.reference.class)])

(super_interfaces
  (type_list
    [(type_identifier) @name.reference.interface
     (scoped_type_identifier (type_identifier) @name.reference.interface .)
     (generic_type (type_identifier) @name.reference.interface)]))

(extends_interfaces
  (type_list
    [(type_identifier) @name.reference.interface
     (scoped_type_identifier (type_identifier) @name.reference.interface .)
     (generic_type (type_identifier) @name.reference.interface)]))

(marker_annotation
  name: [(identifier) @name.reference.class
         (scoped_identifier name: (identifier) @name.reference.class)])
(annotation
  name: [(identifier) @name.reference.class
         (scoped_identifier name: (identifier) @name.reference.class)])

; type uses
(_ type: (type_identifier) @name.reference.type)
(_ type: (scoped_type_identifier (type_identifier) @name.reference.type .))
(_ element: (type_identifier) @name.reference.type)
(generic_type (type_identifier) @name.reference.type)
(type_arguments (type_identifier) @name.reference.type)
(type_bound (type_identifier) @name.reference.type)
(throws (type_identifier) @name.reference.type)
(catch_type (type_identifier) @name.reference.type)
(instanceof_expression right: (type_identifier) @name.reference.type)

(import_declaration
  (scoped_identifier name: (identifier) @name.reference.import))
