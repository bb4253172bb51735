; Zig tags for scout. Written for scout; see grammars/README.md.
; Types are constants whose value is a container: `const Item = struct {…}` is struct `Item`
; (enum and error sets are enums, unions structs, opaques types), spanning the declaration.
; Functions in a container are its methods; container fields are fields (enum members
; constants). Any other `const` at the top level or in a struct, union or enum is a constant,
; a `var` at the top level or in a struct a variable; `@import("x.zig")` is an import.

; ---- definitions ----------------------------------------------------------

(variable_declaration
  (identifier) @name.definition.struct
  [(struct_declaration) (union_declaration)]) @definition.struct
(variable_declaration
  (identifier) @name.definition.enum
  [(enum_declaration) (error_set_declaration)]) @definition.enum
(variable_declaration
  (identifier) @name.definition.type
  (opaque_declaration)) @definition.type

(source_file
  (function_declaration
    name: (identifier) @name.definition.function) @definition.function)
(struct_declaration
  (function_declaration
    name: (identifier) @name.definition.method) @definition.method)
(union_declaration
  (function_declaration
    name: (identifier) @name.definition.method) @definition.method)
(enum_declaration
  (function_declaration
    name: (identifier) @name.definition.method) @definition.method)
(opaque_declaration
  (function_declaration
    name: (identifier) @name.definition.method) @definition.method)

(struct_declaration
  (container_field
    name: (identifier) @name.definition.field) @definition.field)
(union_declaration
  (container_field
    name: (identifier) @name.definition.field) @definition.field)
(enum_declaration
  (container_field
    name: (identifier) @name.definition.constant) @definition.constant)

(source_file
  (variable_declaration
    "const"
    .
    (identifier) @name.definition.constant
    (_) @_value
    .) @definition.constant
  (#not-match? @_value "^((extern|packed)[ \t]+)?(struct|union|enum|opaque)\\b|^error[ \t]*\\{|^@(import|This)[ \t]*\\("))
(struct_declaration
  (variable_declaration
    "const"
    .
    (identifier) @name.definition.constant
    (_) @_value
    .) @definition.constant
  (#not-match? @_value "^((extern|packed)[ \t]+)?(struct|union|enum|opaque)\\b|^error[ \t]*\\{|^@(import|This)[ \t]*\\("))
(union_declaration
  (variable_declaration
    "const"
    .
    (identifier) @name.definition.constant
    (_) @_value
    .) @definition.constant
  (#not-match? @_value "^((extern|packed)[ \t]+)?(struct|union|enum|opaque)\\b|^error[ \t]*\\{|^@(import|This)[ \t]*\\("))
(enum_declaration
  (variable_declaration
    "const"
    .
    (identifier) @name.definition.constant
    (_) @_value
    .) @definition.constant
  (#not-match? @_value "^((extern|packed)[ \t]+)?(struct|union|enum|opaque)\\b|^error[ \t]*\\{|^@(import|This)[ \t]*\\("))
(source_file
  (variable_declaration
    "var"
    .
    (identifier) @name.definition.variable) @definition.variable)
(struct_declaration
  (variable_declaration
    "var"
    .
    (identifier) @name.definition.variable) @definition.variable)
(call_expression
  function: [
    (identifier) @name.reference.call
    (field_expression member: (identifier) @name.reference.call)
  ])

; Inventory.init(…), types of parameters, results, fields and pointers
(field_expression
  object: (identifier) @name.reference.class
  (#match? @name.reference.class "^[A-Z]"))
(parameter
  type: [
    (identifier) @name.reference.type
    (field_expression member: (identifier) @name.reference.type)
  ])
(function_declaration
  type: [
    (identifier) @name.reference.type
    (field_expression member: (identifier) @name.reference.type)
  ])
(container_field
  type: [
    (identifier) @name.reference.type
    (field_expression member: (identifier) @name.reference.type)
  ])
(pointer_type
  (identifier) @name.reference.type)
(error_union_type
  ok: (identifier) @name.reference.type)
(nullable_type
  (identifier) @name.reference.type)

(builtin_function
  (builtin_identifier) @_builtin
  (arguments (string (string_content) @name.reference.import))
  (#eq? @_builtin "@import"))
