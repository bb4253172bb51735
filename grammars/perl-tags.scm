; Perl tags for scout. Written for scout; see grammars/README.md.
; Names are written `Shop::Inventory`: the language spec gives `::` as the qualifier, so
; `package Shop::Inventory { … }` is module `Inventory` inside `Shop`, and a call of
; `Shop::Inventory::add` refers to `add`. A `package X;` statement is a package clause, not a
; definition: it holds none of the subs after it, so each sub takes the nearest one above it as
; its receiver (`Shop.Inventory.add`), and so does a `use constant` name.

; ---- definitions ----------------------------------------------------------

(package_statement
  name: (package) @name.definition.module
  (block)) @definition.module

(subroutine_declaration_statement
  name: (bareword) @name.definition.function) @definition.function

(_
  (package_statement
    name: (package) @receiver .)
  (subroutine_declaration_statement
    name: (bareword) @name.definition.function) @definition.function)

(use_statement
  module: (package) @_pragma
  (list_expression
    .
    (autoquoted_bareword) @name.definition.constant)
  (#eq? @_pragma "constant")) @definition.constant
(_
  (package_statement
    name: (package) @receiver .)
  (use_statement
    module: (package) @_pragma
    (list_expression
      .
      (autoquoted_bareword) @name.definition.constant)) @definition.constant
  (#eq? @_pragma "constant"))
(use_statement
  module: (package) @_pragma
  (anonymous_hash_expression
    (list_expression
      (autoquoted_bareword) @name.definition.constant))
  (#eq? @_pragma "constant"))

; ---- references -----------------------------------------------------------

(function_call_expression
  function: (function) @name.reference.call
  (#match? @name.reference.call "^[A-Za-z_]"))
(function_call_expression
  function: (function (varname) @name.reference.call))
(ambiguous_function_call_expression
  function: (function) @name.reference.call)
(method_call_expression
  method: (method) @name.reference.call)

; Shop::Inventory->new, use parent 'Shop::Base'
(method_call_expression
  invocant: (bareword) @name.reference.class)
(use_statement
  module: (package) @_pragma
  (string_literal (string_content) @name.reference.class)
  (#match? @_pragma "^(parent|base)$"))

(use_statement
  module: (package) @name.reference.import
  (#not-match? @name.reference.import "^(strict|warnings|utf8|feature|constant|parent|base|vars|lib|integer|overload|v?[0-9.]+)$"))
(require_expression
  (bareword) @name.reference.import)
