; Lua tags for scout. Written for scout; see grammars/README.md.
; `function M.f()` is a function and `function M:f()` a method, both named `f`;
; they are not nested inside `M`'s table, so their parent stays None.
; Top-level `local X = <not a function>` is a constant.

; ---- definitions ----------------------------------------------------------

(function_declaration
  name: [
    (identifier) @name.definition.function
    (dot_index_expression field: (identifier) @name.definition.function)
  ]) @definition.function

(function_declaration
  name: (method_index_expression
    method: (identifier) @name.definition.method)) @definition.method

; local f = function () ... end
(variable_declaration
  (assignment_statement
    (variable_list . name: (identifier) @name.definition.function)
    (expression_list . value: (function_definition)))) @definition.function

; f = function () ... end, M.f = function () ... end
(chunk
  (assignment_statement
    (variable_list
      .
      name: [
        (identifier) @name.definition.function
        (dot_index_expression field: (identifier) @name.definition.function)
      ])
    (expression_list . value: (function_definition))) @definition.function)
(block
  (assignment_statement
    (variable_list
      .
      name: [
        (identifier) @name.definition.function
        (dot_index_expression field: (identifier) @name.definition.function)
      ])
    (expression_list . value: (function_definition))) @definition.function)

; { f = function () ... end }
(field
  name: (identifier) @name.definition.function
  value: (function_definition)) @definition.function

; top-level constants and module tables
(chunk
  (variable_declaration
    (assignment_statement
      (variable_list . name: (identifier) @name.definition.constant)
      (expression_list
        .
        value: [(number) (string) (table_constructor) (function_call) (identifier)
                (dot_index_expression) (binary_expression) (true) (false) (nil)])))
  @definition.constant)

; ---- references -----------------------------------------------------------

(function_call
  name: [
    (identifier) @name.reference.call
    (dot_index_expression field: (identifier) @name.reference.call)
    (method_index_expression method: (identifier) @name.reference.call)
  ])

(function_call
  name: (identifier) @_require
  arguments: (arguments (string content: (string_content) @name.reference.import))
  (#eq? @_require "require"))
