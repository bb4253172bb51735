; Python tags for scout. Written for scout; see grammars/README.md.
; A decorated class/function spans its decorators: the decorated_definition is
; the whole node, and the bare-definition patterns only match undecorated ones
; (whose parent is a module, a block or an ERROR node). Methods keep kind
; `function`; their parent is the enclosing class.

; ---- definitions ----------------------------------------------------------

(decorated_definition
  definition: (class_definition
    name: (identifier) @name.definition.class)) @definition.class

(decorated_definition
  definition: (function_definition
    name: (identifier) @name.definition.function)) @definition.function

(module
  (class_definition
    name: (identifier) @name.definition.class) @definition.class)
(module
  (function_definition
    name: (identifier) @name.definition.function) @definition.function)
(block
  (class_definition
    name: (identifier) @name.definition.class) @definition.class)
(block
  (function_definition
    name: (identifier) @name.definition.function) @definition.function)
(ERROR
  (class_definition
    name: (identifier) @name.definition.class) @definition.class)
(ERROR
  (function_definition
    name: (identifier) @name.definition.function) @definition.function)

; module-level assignments (constants, aliases, module globals)
(module
  (expression_statement
    (assignment
      left: (identifier) @name.definition.constant) @definition.constant))

; Python 3.12 `type Alias = ...`
(type_alias_statement
  (type (identifier) @name.definition.type)) @definition.type

; ---- references -----------------------------------------------------------

(call
  function: [
    (identifier) @name.reference.call
    (attribute attribute: (identifier) @name.reference.call)
  ])

(class_definition
  superclasses: (argument_list
    [(identifier) @name.reference.class
     (attribute attribute: (identifier) @name.reference.class)
     (subscript value: [(identifier) @name.reference.class
                        (attribute attribute: (identifier) @name.reference.class)])]))

(decorator
  [(identifier) @name.reference.call
   (attribute attribute: (identifier) @name.reference.call)
   (call function: [(identifier) @name.reference.call
                    (attribute attribute: (identifier) @name.reference.call)])])

; type annotations: `x: Foo`, `-> mod.Foo`, `list[Foo]`, `Foo | None`
(type (identifier) @name.reference.type)
(type (attribute attribute: (identifier) @name.reference.type))
(generic_type (identifier) @name.reference.type)
(type (binary_operator
  [left: (identifier) @name.reference.type
   left: (attribute attribute: (identifier) @name.reference.type)
   right: (identifier) @name.reference.type
   right: (attribute attribute: (identifier) @name.reference.type)]))

; imports: `import a.b`, `import a as b`, `from m import x`, `from m import x as y`
(import_statement
  name: (dotted_name . (identifier) @name.reference.import))
(import_statement
  name: (aliased_import name: (dotted_name . (identifier) @name.reference.import)))
(import_from_statement
  name: (dotted_name (identifier) @name.reference.import))
(import_from_statement
  name: (aliased_import name: (dotted_name (identifier) @name.reference.import)))
