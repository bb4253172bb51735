; HCL (Terraform) tags for scout. Written for scout; see grammars/README.md.
; A block is named by its labels: `resource "aws_instance" "web"` is class `web` whose
; receiver is its type (qualified name `aws_instance.web`, Terraform's own address), and so is a
; `data` block; `module "network"` is a module, `variable "region"` a variable, `output "ips"` a
; field (the module's result), each attribute of `locals` a constant. Any other block with
; labels (`provider "aws"`, Nomad's `job "api"`, Packer's `source "amazon-ebs" "base"`) is a
; class named by its last label, nested ones inside the blocks that hold them.
; References: function calls, `var.x` and `local.x` (variables), `module.x`, `data.t.x` and
; `t.x` (the blocks they name); a module's `source` is an import.

; ---- definitions ----------------------------------------------------------

(block
  (identifier) @_type
  .
  (string_lit (template_literal) @receiver)
  .
  (string_lit (template_literal) @name.definition.class)
  .
  (block_start)
  (#match? @_type "^(resource|data)$")) @definition.class

(block
  (identifier) @_type
  .
  (string_lit (template_literal) @name.definition.module)
  .
  (block_start)
  (#eq? @_type "module")) @definition.module

(block
  (identifier) @_type
  .
  (string_lit (template_literal) @name.definition.variable)
  .
  (block_start)
  (#eq? @_type "variable")) @definition.variable

(block
  (identifier) @_type
  .
  (string_lit (template_literal) @name.definition.field)
  .
  (block_start)
  (#eq? @_type "output")) @definition.field

(block
  (identifier) @_type
  (body
    (attribute
      (identifier) @name.definition.constant) @definition.constant)
  (#eq? @_type "locals"))

(block
  (identifier) @_type
  .
  (string_lit (template_literal) @receiver)
  .
  (string_lit (template_literal) @name.definition.class)
  .
  (block_start)
  (#not-match? @_type "^(resource|data|module|variable|output|locals)$")) @definition.class

(block
  (identifier) @_type
  .
  (string_lit (template_literal) @name.definition.class)
  .
  (block_start)
  (#not-match? @_type "^(resource|data|module|variable|output|locals)$")) @definition.class

; ---- references -----------------------------------------------------------

(function_call
  (identifier) @name.reference.call)

(expression
  (variable_expr (identifier) @_root)
  .
  (get_attr (identifier) @name.reference.variable)
  (#match? @_root "^(var|local)$"))

; module.network.x, aws_instance.web.id (not each., count., self., path., terraform.)
(expression
  (variable_expr (identifier) @_root)
  .
  (get_attr (identifier) @name.reference.class)
  (#not-match? @_root "^(var|local|data|each|count|self|path|terraform)$"))
(expression
  (variable_expr (identifier) @_root)
  .
  (get_attr)
  .
  (get_attr (identifier) @name.reference.class)
  (#eq? @_root "data"))

(block
  (identifier) @_type
  (body
    (attribute
      (identifier) @_key
      (expression (literal_value (string_lit (template_literal) @name.reference.import)))))
  (#eq? @_type "module")
  (#eq? @_key "source"))
