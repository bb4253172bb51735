; Elixir tags for scout. Written for scout; see grammars/README.md.
; Everything is a call in this grammar: `defmodule X do … end` is a call of `defmodule`.
; Module names are written whole (`Shop.Inventory`); the language spec marks them dotted, so
; scout names that module `Inventory` inside `Shop`, and a reference to `Shop.Inventory` refers
; to `Inventory`. A `def` head (`def add(a, b)`) is a call node too: scout drops a call
; reference on a definition's own name.

; ---- definitions ----------------------------------------------------------

(call
  target: (identifier) @_keyword
  (arguments . (alias) @name.definition.module)
  (#eq? @_keyword "defmodule")) @definition.module

(call
  target: (identifier) @_keyword
  (arguments . (alias) @name.definition.interface)
  (#eq? @_keyword "defprotocol")) @definition.interface

; defimpl Protocol, for: Type: named after the type, like Rust's `impl Trait for Type`
(call
  target: (identifier) @_keyword
  (arguments
    (alias)
    (keywords
      (pair
        key: (keyword) @_for
        value: (alias) @name.definition.impl)))
  (#eq? @_keyword "defimpl")
  (#match? @_for "^for:")) @definition.impl

; defimpl Protocol do … end inside the module it implements the protocol for
(call
  target: (identifier) @_keyword
  (arguments . (alias) @name.definition.impl .)
  (#eq? @_keyword "defimpl")) @definition.impl

; def f(a), def f(a) when guard, def f (no parentheses); defp, defguard, defdelegate, defn
(call
  target: (identifier) @_keyword
  (arguments
    .
    [
      (identifier) @name.definition.function
      (call target: (identifier) @name.definition.function)
      (binary_operator
        left: [
          (identifier) @name.definition.function
          (call target: (identifier) @name.definition.function)
        ]
        operator: "when")
    ])
  (#match? @_keyword "^(def|defp|defguard|defguardp|defdelegate|defn|defnp)$")) @definition.function

(call
  target: (identifier) @_keyword
  (arguments
    .
    [
      (identifier) @name.definition.macro
      (call target: (identifier) @name.definition.macro)
      (binary_operator
        left: [
          (identifier) @name.definition.macro
          (call target: (identifier) @name.definition.macro)
        ]
        operator: "when")
    ])
  (#match? @_keyword "^(defmacro|defmacrop)$")) @definition.macro

; @type t :: …, @typep, @opaque
(unary_operator
  operator: "@"
  operand: (call
    target: (identifier) @_attribute
    (arguments
      .
      (binary_operator
        left: [
          (identifier) @name.definition.type
          (call target: (identifier) @name.definition.type)
        ]
        operator: "::")))
  (#match? @_attribute "^(type|typep|opaque)$")) @definition.type

; @max_items 100: a module attribute used as a constant (not the documentation and typing ones)
(unary_operator
  operator: "@"
  operand: (call
    target: (identifier) @name.definition.constant
    (arguments))
  (#not-match? @name.definition.constant "^(doc|moduledoc|typedoc|spec|type|typep|opaque|callback|macrocallback|optional_callbacks|impl|behaviour|derive|enforce_keys|since|deprecated|dialyzer|compile|external_resource|on_load|on_definition|before_compile|after_compile|after_verify|vsn|file)$")) @definition.constant

; ---- references -----------------------------------------------------------

; local calls, other than the special forms and definition keywords
(call
  target: (identifier) @name.reference.call
  (#not-match? @name.reference.call "^(def|defp|defmacro|defmacrop|defguard|defguardp|defdelegate|defn|defnp|defmodule|defprotocol|defimpl|defstruct|defexception|defoverridable|alias|import|require|use|case|cond|if|unless|with|for|fn|try|receive|quote|unquote|unquote_splicing|super|__MODULE__|doc|moduledoc|typedoc|spec|type|typep|opaque|callback|macrocallback|impl|behaviour|derive|enforce_keys|since|deprecated|dialyzer|compile|external_resource|on_load|vsn)$"))

; Module.fun(…) and var.fun(…); `item.sku` without arguments is a field, not a call
(call
  target: (dot
    left: (alias)
    right: (identifier) @name.reference.call))
(call
  target: (dot
    right: (identifier) @name.reference.call)
  (arguments))

; x |> fun
(binary_operator
  operator: "|>"
  right: (identifier) @name.reference.call)

; Module.fun, %Module{}, raise(Module), use/alias/require/import Module (not the name that
; defmodule or defprotocol defines)
(dot
  left: (alias) @name.reference.class)
(struct
  (alias) @name.reference.class)
(call
  target: (identifier) @_keyword
  (arguments (alias) @name.reference.class)
  (#not-match? @_keyword "^(defmodule|defprotocol)$"))
(call
  target: (dot)
  (arguments (alias) @name.reference.class))

(call
  target: (identifier) @_keyword
  (arguments . (alias) @name.reference.import)
  (#match? @_keyword "^(alias|import|require|use)$"))
