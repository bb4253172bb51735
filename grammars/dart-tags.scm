; Dart tags for scout. Written for scout; see grammars/README.md.
; In this grammar a function's or method's signature and its body are sibling nodes, so those
; patterns capture @definition.<kind> on both and the span runs from the signature to the end of
; the body. An extension is named after the type it extends (`extension X on Inventory` gives
; methods of `Inventory`); a named constructor `Inventory.empty()` is method `empty`; a mixin
; is a trait. A call of a capitalized name (`Item(…)`) is a class reference.

; ---- definitions ----------------------------------------------------------

(class_definition
  name: (identifier) @name.definition.class) @definition.class

(mixin_declaration
  (identifier) @name.definition.trait) @definition.trait

(extension_declaration
  class: (type_identifier) @name.definition.extension) @definition.extension

(enum_declaration
  name: (identifier) @name.definition.enum) @definition.enum
(enum_constant
  name: (identifier) @name.definition.constant) @definition.constant

(type_alias
  "typedef"
  .
  (type_identifier) @name.definition.type) @definition.type

; top-level functions, getters and setters: signature, then body
(program
  [
    (function_signature name: (identifier) @name.definition.function)
    (getter_signature name: (identifier) @name.definition.function)
    (setter_signature name: (identifier) @name.definition.function)
  ] @definition.function
  .
  (function_body) @definition.function)

; methods with a body
(_
  (method_signature
    [
      (function_signature name: (identifier) @name.definition.method)
      (getter_signature name: (identifier) @name.definition.method)
      (setter_signature name: (identifier) @name.definition.method)
      (constructor_signature name: (identifier) @name.definition.method . parameters: (formal_parameter_list))
      (factory_constructor_signature (identifier) @name.definition.method . (formal_parameter_list))
    ]) @definition.method
  .
  (function_body) @definition.method)

; abstract methods, constructors without a body, redirecting constructors
(declaration
  [
    (function_signature name: (identifier) @name.definition.method)
    (getter_signature name: (identifier) @name.definition.method)
    (setter_signature name: (identifier) @name.definition.method)
    (constructor_signature name: (identifier) @name.definition.method . parameters: (formal_parameter_list))
    (constant_constructor_signature (identifier) @name.definition.method . (formal_parameter_list))
    (factory_constructor_signature (identifier) @name.definition.method . (formal_parameter_list))
    (redirecting_factory_constructor_signature (identifier) @name.definition.method . (formal_parameter_list))
  ]) @definition.method

; fields (each name spans its own declarator), static and top-level constants
(declaration
  (initialized_identifier_list
    (initialized_identifier . (identifier) @name.definition.field) @definition.field))
(declaration
  (identifier_list
    (identifier) @name.definition.field @definition.field))
(static_final_declaration
  .
  (identifier) @name.definition.constant) @definition.constant
(program
  (initialized_identifier_list
    (initialized_identifier . (identifier) @name.definition.variable) @definition.variable))

(local_function_declaration
  (lambda_expression
    parameters: (function_signature name: (identifier) @name.definition.function))) @definition.function

; ---- references -----------------------------------------------------------

; f(…), obj.f(…), obj?.f(…)
(
  (identifier) @name.reference.call
  .
  (selector (argument_part))
  (#match? @name.reference.call "^[_$]*[a-z]")
)
(
  (selector
    [
      (unconditional_assignable_selector (identifier) @name.reference.call)
      (conditional_assignable_selector (identifier) @name.reference.call)
    ])
  .
  (selector (argument_part))
)

; Item(…), Inventory.empty(), new Item(…), const Item(…)
(
  (identifier) @name.reference.class
  .
  (selector)
  (#match? @name.reference.class "^[_$]*[A-Z]")
)
(new_expression
  (type_identifier) @name.reference.class)
(const_object_expression
  (type_identifier) @name.reference.class)

(superclass
  (type_identifier) @name.reference.class)
(mixins
  (type_identifier) @name.reference.class)
(interfaces
  (type_identifier) @name.reference.interface)

(type_identifier) @name.reference.type

(import_specification
  (configurable_uri
    (uri (string_literal) @name.reference.import)))
