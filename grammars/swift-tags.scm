; Swift tags for scout. Written for scout; see grammars/README.md.
; `extension Foo { ... }` is a definition of kind `extension` named `Foo`, so
; functions inside it are methods whose parent is `Foo` (like Rust impl blocks).
; Enum cases span their own name only (one `case a, b` declares several).

; ---- definitions ----------------------------------------------------------

(class_declaration
  declaration_kind: ["class" "actor"]
  name: (type_identifier) @name.definition.class) @definition.class

(class_declaration
  declaration_kind: "struct"
  name: (type_identifier) @name.definition.struct) @definition.struct

(class_declaration
  declaration_kind: "enum"
  name: (type_identifier) @name.definition.enum) @definition.enum

(class_declaration
  declaration_kind: "extension"
  name: (user_type (type_identifier) @name.definition.extension .)) @definition.extension

(protocol_declaration
  name: (type_identifier) @name.definition.interface) @definition.interface

(typealias_declaration
  name: (type_identifier) @name.definition.type) @definition.type

(enum_entry
  name: (simple_identifier) @name.definition.constant)

; methods
(class_body
  (function_declaration
    name: (simple_identifier) @name.definition.method) @definition.method)
(class_body
  (init_declaration
    "init" @name.definition.method) @definition.method)
(class_body
  (deinit_declaration
    "deinit" @name.definition.method) @definition.method)
(class_body
  (subscript_declaration
    "subscript" @name.definition.method) @definition.method)
(enum_class_body
  (function_declaration
    name: (simple_identifier) @name.definition.method) @definition.method)
(enum_class_body
  (init_declaration
    "init" @name.definition.method) @definition.method)
(protocol_body
  (protocol_function_declaration
    name: (simple_identifier) @name.definition.method) @definition.method)
(protocol_body
  (init_declaration
    "init" @name.definition.method) @definition.method)

; top-level and local functions
(source_file
  (function_declaration
    name: (simple_identifier) @name.definition.function) @definition.function)
(statements
  (function_declaration
    name: (simple_identifier) @name.definition.function) @definition.function)

; properties: members are fields, top-level ones constants
(class_body
  (property_declaration
    name: (pattern bound_identifier: (simple_identifier) @name.definition.field)) @definition.field)
(enum_class_body
  (property_declaration
    name: (pattern bound_identifier: (simple_identifier) @name.definition.field)) @definition.field)
(protocol_body
  (protocol_property_declaration
    name: (pattern bound_identifier: (simple_identifier) @name.definition.field)) @definition.field)
(source_file
  (property_declaration
    name: (pattern bound_identifier: (simple_identifier) @name.definition.constant)) @definition.constant)

; ---- references -----------------------------------------------------------

; f(x), a.b.f(x); a capitalized callee is a type being constructed
(call_expression
  .
  [
    (simple_identifier) @name.reference.call
    (navigation_expression suffix: (navigation_suffix suffix: (simple_identifier) @name.reference.call))
  ]
  (#not-match? @name.reference.call "^[A-Z]"))
(call_expression
  .
  [
    (simple_identifier) @name.reference.class
    (navigation_expression suffix: (navigation_suffix suffix: (simple_identifier) @name.reference.class))
  ]
  (#match? @name.reference.class "^[A-Z]"))

(inheritance_specifier
  inherits_from: (user_type (type_identifier) @name.reference.class))

(user_type
  (type_identifier) @name.reference.type)

(import_declaration
  (identifier (simple_identifier) @name.reference.import .))
