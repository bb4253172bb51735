; OCaml tags for scout. Written for scout; see grammars/README.md.
; The patterns both OCaml grammars accept: .mli files use them as they are, and ocaml-tags.scm
; (.ml files) inherits them and adds top-level `let` constants, which the interface grammar has
; no node for. A `let` with parameters, or bound to `fun`/`function`, is a function wherever it
; is. `val` specifications are functions when their type is an arrow, constants otherwise. Each
; binding of `let … and …` / `type … and …` spans itself.

; ---- definitions ----------------------------------------------------------

(let_binding
  pattern: (value_name) @name.definition.function
  (parameter)) @definition.function

(let_binding
  pattern: (value_name) @name.definition.function
  .
  "="
  .
  body: [(fun_expression) (function_expression)]) @definition.function

(value_specification
  (value_name) @name.definition.function
  type: (function_type)) @definition.function
(value_specification
  (value_name) @name.definition.constant
  type: [(type_constructor_path) (constructed_type) (tuple_type) (type_variable) (object_type)
         (polymorphic_variant_type) (package_type)]) @definition.constant
(external
  (value_name) @name.definition.function) @definition.function

(type_binding
  name: (type_constructor) @name.definition.type) @definition.type
(variant_declaration
  (constructor_declaration
    (constructor_name) @name.definition.constant) @definition.constant)
(field_declaration
  (field_name) @name.definition.field) @definition.field
(exception_definition
  (constructor_declaration
    (constructor_name) @name.definition.type)) @definition.type

(module_binding
  (module_name) @name.definition.module) @definition.module
(module_type_definition
  (module_type_name) @name.definition.interface) @definition.interface

(class_binding
  (class_name) @name.definition.class) @definition.class
(class_type_binding
  (class_type_name) @name.definition.class) @definition.class
(method_definition
  (method_name) @name.definition.method) @definition.method
(method_specification
  (method_name) @name.definition.method) @definition.method
(instance_variable_definition
  (instance_variable_name) @name.definition.field) @definition.field

; ---- references -----------------------------------------------------------

(application_expression
  function: (value_path (value_name) @name.reference.call))
(infix_expression
  operator: (_) @_pipe
  right: (value_path (value_name) @name.reference.call)
  (#eq? @_pipe "|>"))
(method_invocation
  (method_name) @name.reference.call)

; Full n, Inventory.create, t, Hashtbl.t, new counter
(application_expression
  function: (constructor_path (constructor_name) @name.reference.class))
(module_path
  (module_name) @name.reference.class)
(extended_module_path
  (module_name) @name.reference.class)
(type_constructor_path
  (type_constructor) @name.reference.type)
(class_path
  (class_name) @name.reference.class)

(open_module
  module: (module_path) @name.reference.import)
(include_module
  module: (module_path) @name.reference.import)
