; OCaml tags for scout. Written for scout; see grammars/README.md.
; inherits: ocaml_interface
; Any other `let` (not a function) is a constant at the top level or in a `struct`.

(compilation_unit
  (value_definition
    (let_binding
      pattern: (value_name) @name.definition.constant
      .
      "="
      .
      body: (_) @_value) @definition.constant)
  (#not-match? @_value "^(fun|function)[ \t\n(]"))
(structure
  (value_definition
    (let_binding
      pattern: (value_name) @name.definition.constant
      .
      "="
      .
      body: (_) @_value) @definition.constant)
  (#not-match? @_value "^(fun|function)[ \t\n(]"))
