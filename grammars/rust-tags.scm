; Rust tags for scout. Written for scout; see grammars/README.md.
; An `impl` block is a definition of kind `impl` named after its self type, so
; functions inside it are methods whose parent is that type name (for both
; `impl Foo` and `impl Trait for Foo`). Functions in a trait are methods of the trait.

; ---- definitions ----------------------------------------------------------

(struct_item
  name: (type_identifier) @name.definition.struct) @definition.struct

(union_item
  name: (type_identifier) @name.definition.struct) @definition.struct

(enum_item
  name: (type_identifier) @name.definition.enum) @definition.enum

(type_item
  name: (type_identifier) @name.definition.type) @definition.type

(associated_type
  name: (type_identifier) @name.definition.type) @definition.type

(trait_item
  name: (type_identifier) @name.definition.trait) @definition.trait

(impl_item
  type: [
    (type_identifier) @name.definition.impl
    (generic_type type: (type_identifier) @name.definition.impl)
    (generic_type type: (scoped_type_identifier name: (type_identifier) @name.definition.impl))
    (scoped_type_identifier name: (type_identifier) @name.definition.impl)
    (reference_type type: (type_identifier) @name.definition.impl)
  ]) @definition.impl

; `mod x { ... }`; a bare `mod x;` only says that x.rs is a module, and is no definition (it had
; answered go-to-definition for a function of the same name: tokio's `mod spawn;` for `spawn`)
(mod_item
  name: (identifier) @name.definition.module
  body: (declaration_list)) @definition.module

(macro_definition
  name: (identifier) @name.definition.macro) @definition.macro

(const_item
  name: (identifier) @name.definition.constant) @definition.constant

(static_item
  name: (identifier) @name.definition.constant) @definition.constant

(struct_item
  body: (field_declaration_list
    (field_declaration
      name: (field_identifier) @name.definition.field) @definition.field))

; methods: functions in impl and trait bodies
(impl_item
  body: (declaration_list
    (function_item
      name: (identifier) @name.definition.method) @definition.method))

(trait_item
  body: (declaration_list
    [(function_item
       name: (identifier) @name.definition.method)
     (function_signature_item
       name: (identifier) @name.definition.method)] @definition.method))

; free functions: at top level, in modules, nested in blocks, in extern blocks
(source_file
  (function_item
    name: (identifier) @name.definition.function) @definition.function)
(block
  (function_item
    name: (identifier) @name.definition.function) @definition.function)
(mod_item
  body: (declaration_list
    (function_item
      name: (identifier) @name.definition.function) @definition.function))
(foreign_mod_item
  body: (declaration_list
    (function_signature_item
      name: (identifier) @name.definition.function) @definition.function))
(ERROR
  (function_item
    name: (identifier) @name.definition.function) @definition.function)

; ---- references -----------------------------------------------------------

(call_expression
  function: [
    (identifier) @name.reference.call
    (field_expression field: (field_identifier) @name.reference.call)
    (scoped_identifier name: (identifier) @name.reference.call)
    (generic_function function: (identifier) @name.reference.call)
    (generic_function function: (field_expression field: (field_identifier) @name.reference.call))
    (generic_function function: (scoped_identifier name: (identifier) @name.reference.call))
  ])

(macro_invocation
  macro: [
    (identifier) @name.reference.call
    (scoped_identifier name: (identifier) @name.reference.call)
  ])

; impl Trait for Type, dyn Trait, impl Trait, trait bounds
(_ trait: [
    (type_identifier) @name.reference.trait
    (scoped_type_identifier name: (type_identifier) @name.reference.trait)
    (generic_type type: (type_identifier) @name.reference.trait)
  ])
(trait_bounds (type_identifier) @name.reference.trait)
(trait_bounds (generic_type type: (type_identifier) @name.reference.trait))

; type uses
(_ type: (type_identifier) @name.reference.type)
(_ return_type: (type_identifier) @name.reference.type)
(_ element: (type_identifier) @name.reference.type)
(type_arguments (type_identifier) @name.reference.type)
(tuple_type (type_identifier) @name.reference.type)
(scoped_type_identifier name: (type_identifier) @name.reference.type)
(type_item type: (type_identifier) @name.reference.type)

; Foo { .. } literals, Foo::new() paths
(struct_expression
  name: [
    (type_identifier) @name.reference.class
    (scoped_type_identifier name: (type_identifier) @name.reference.class)
  ])
(scoped_identifier
  path: (identifier) @name.reference.type
  (#match? @name.reference.type "^[A-Z]"))

; #[derive(Debug, Clone)]
(attribute
  (identifier) @_attr
  arguments: (token_tree (identifier) @name.reference.trait)
  (#eq? @_attr "derive"))

; use a::b::C; use a::{b, c::D}; use a::B as C;
(use_declaration
  argument: [
    (identifier) @name.reference.import
    (scoped_identifier name: (identifier) @name.reference.import)
    (use_as_clause path: (scoped_identifier name: (identifier) @name.reference.import))
    (use_as_clause path: (identifier) @name.reference.import)
  ])
(use_list
  [
    (identifier) @name.reference.import
    (scoped_identifier name: (identifier) @name.reference.import)
    (use_as_clause path: (scoped_identifier name: (identifier) @name.reference.import))
    (use_as_clause path: (identifier) @name.reference.import)
  ])
