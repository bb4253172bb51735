; TSX tags for scout. Written for scout; see grammars/README.md.
; The TypeScript patterns (pulled in whole at load time by the line below) plus JSX element references.
; inherits: typescript

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
