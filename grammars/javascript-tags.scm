; JavaScript tags for scout. Written for scout; see grammars/README.md.
; Also used for .jsx files: JSX elements with a capitalized name are class references.

; ---- definitions ----------------------------------------------------------

(class_declaration
  name: (identifier) @name.definition.class) @definition.class

(variable_declarator
  name: (identifier) @name.definition.class
  value: (class)) @definition.class

(method_definition
  name: [(property_identifier) (private_property_identifier)] @name.definition.method) @definition.method

(field_definition
  property: [(property_identifier) (private_property_identifier)] @name.definition.field) @definition.field

(function_declaration
  name: (identifier) @name.definition.function) @definition.function

(generator_function_declaration
  name: (identifier) @name.definition.function) @definition.function

; const f = () => ..., let g = function () {...}
(variable_declarator
  name: (identifier) @name.definition.function
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

; obj.f = function () {...}, module.exports.f = () => ...
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

; defineGetter(req, 'protocol', function protocol() {...}): a named function handed to a call
; (how express defines most of `req` and `res`)
(arguments
  (function_expression
    name: (identifier) @name.definition.function) @definition.function)

; top-level constants: const X = <not a function>
(program
  (lexical_declaration
    (variable_declarator
      name: (identifier) @name.definition.constant
      value: [(new_expression) (call_expression) (number) (string) (template_string)
              (object) (array) (identifier) (member_expression) (binary_expression)
              (true) (false) (null) (regex) (await_expression)]) @definition.constant))
(program
  (export_statement
    declaration: (lexical_declaration
      (variable_declarator
        name: (identifier) @name.definition.constant
        value: [(new_expression) (call_expression) (number) (string) (template_string)
                (object) (array) (identifier) (member_expression) (binary_expression)
                (true) (false) (null) (regex) (await_expression)]) @definition.constant)))

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

(class_heritage
  [(identifier) @name.reference.class
   (member_expression property: (property_identifier) @name.reference.class)
   (call_expression function: (identifier) @name.reference.call)])

(import_specifier name: (identifier) @name.reference.import)
(import_clause (identifier) @name.reference.import)

; JSX: <Foo />, <Foo.Bar>...</Foo.Bar> (lowercase names are HTML tags)
(jsx_opening_element
  name: (identifier) @name.reference.class
  (#match? @name.reference.class "^[A-Z]"))
(jsx_opening_element
  name: (member_expression property: (property_identifier) @name.reference.class))
(jsx_self_closing_element
  name: (identifier) @name.reference.class
  (#match? @name.reference.class "^[A-Z]"))
(jsx_self_closing_element
  name: (member_expression property: (property_identifier) @name.reference.class))
