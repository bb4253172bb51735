; Haskell tags for scout. Written for scout; see grammars/README.md.
; Each equation of a function is a definition (`f 0 = 1` and `f n = …` are two); a top-level
; type signature is not (its types are references). Class method signatures are methods of the
; class; an instance is a definition of kind `impl` named after its type, like Rust's
; `impl Trait for Type`. Record fields are fields of their type; data constructors are
; constants spanning their name (so the fields stay children of the type), except one named
; like its type.

; ---- definitions ----------------------------------------------------------

(header
  module: (module) @name.definition.module) @definition.module

(declarations
  [
    (function name: (variable) @name.definition.function)
    (bind name: (variable) @name.definition.function)
  ] @definition.function)

; where/let helpers that take arguments (plain local values are not definitions)
(local_binds
  (function name: (variable) @name.definition.function) @definition.function)

(data_type
  name: (name) @name.definition.type) @definition.type
(newtype
  name: (name) @name.definition.type) @definition.type
(type_synonym
  name: (name) @name.definition.type) @definition.type
(type_family
  name: (name) @name.definition.type) @definition.type

; the constructors of a sum type (one named like its type, `data Item = Item …`, is the type)
(data_type
  name: (name) @_type
  constructors: (data_constructors
    (data_constructor
      constructor: [
        (prefix name: (constructor) @name.definition.constant)
        (infix operator: (constructor_operator) @name.definition.constant)
        (record name: (constructor) @name.definition.constant)
      ]))
  (#not-eq? @name.definition.constant @_type))

(field
  name: (field_name (variable) @name.definition.field)) @definition.field

(class
  name: (name) @name.definition.interface) @definition.interface

(class_declarations
  [
    (signature name: (variable) @name.definition.method)
    (function name: (variable) @name.definition.method)
    (bind name: (variable) @name.definition.method)
  ] @definition.method)

(instance
  patterns: (type_patterns
    .
    [
      (name) @name.definition.impl
      (parens type: (apply constructor: (name) @name.definition.impl))
      (parens type: (name) @name.definition.impl)
    ])) @definition.impl

(instance_declarations
  [
    (function name: (variable) @name.definition.method)
    (bind name: (variable) @name.definition.method)
  ] @definition.method)

; ---- references -----------------------------------------------------------

(apply
  function: [
    (variable) @name.reference.call
    (qualified id: (variable) @name.reference.call)
  ])
(infix
  operator: (infix_id
    [
      (variable) @name.reference.call
      (qualified id: (variable) @name.reference.call)
    ]))

; constructors applied or built: Inventory Map.empty, Item { … }
(apply
  function: [
    (constructor) @name.reference.class
    (qualified id: (constructor) @name.reference.class)
  ])
(record
  expression: (constructor) @name.reference.class)

; types in signatures, fields and other types
(signature type: (name) @name.reference.type)
(function parameter: (name) @name.reference.type)
(function result: (name) @name.reference.type)
(apply constructor: (name) @name.reference.type)
(apply argument: (name) @name.reference.type)
(list element: (name) @name.reference.type)
(tuple (name) @name.reference.type)
(type_synonym type: (name) @name.reference.type)
(field type: (name) @name.reference.type)
(prefix field: (name) @name.reference.type)
(qualified id: (name) @name.reference.type)

; the class an instance implements, the classes in a context and a deriving clause
(instance
  name: (name) @name.reference.interface)
(deriving
  classes: [
    (name) @name.reference.interface
    (tuple (name) @name.reference.interface)
  ])

(import
  module: (module) @name.reference.import)
