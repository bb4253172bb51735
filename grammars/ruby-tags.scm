; Ruby tags for scout. Written for scout; see grammars/README.md.
; `def self.x` is a method like `def x`; `Name = Struct.new(...) do ... end`
; (or Class.new / Data.define) is a class spanning the block.

; ---- definitions ----------------------------------------------------------

(module
  name: [
    (constant) @name.definition.module
    (scope_resolution name: (_) @name.definition.module)
  ]) @definition.module

(class
  name: [
    (constant) @name.definition.class
    (scope_resolution name: (_) @name.definition.class)
  ]) @definition.class

(method
  name: (_) @name.definition.method) @definition.method

(singleton_method
  name: (_) @name.definition.method) @definition.method

(alias
  name: (_) @name.definition.method) @definition.method

(assignment
  left: (constant) @name.definition.class
  right: (call
    receiver: (constant) @_receiver
    method: (identifier) @_method)
  (#any-of? @_receiver "Struct" "Class" "Data" "Module")
  (#any-of? @_method "new" "define")) @definition.class

(assignment
  left: (constant) @name.definition.constant
  right: (_) @_value
  (#not-match? @_value "^(Struct|Class|Data|Module)\\.(new|define)")) @definition.constant

; ---- references -----------------------------------------------------------

(call
  method: (identifier) @name.reference.call)

; Foo.new, Foo.bar, Foo::Bar
(call
  receiver: [
    (constant) @name.reference.class
    (scope_resolution name: (constant) @name.reference.class)
  ])
(scope_resolution
  name: (constant) @name.reference.class)

(superclass
  [(constant) @name.reference.class
   (scope_resolution name: (constant) @name.reference.class)])

; constants passed as arguments: include Enumerable, raise StockError
(argument_list
  (constant) @name.reference.class)

(call
  method: (identifier) @_method
  arguments: (argument_list
    (string (string_content) @name.reference.import))
  (#any-of? @_method "require" "require_relative" "load"))
