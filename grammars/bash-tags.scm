; Bash tags for scout. Written for scout; see grammars/README.md.
; Every command name is a call reference (builtins and external programs too).

; ---- definitions ----------------------------------------------------------

(function_definition
  name: (word) @name.definition.function) @definition.function

; top-level variables: X=1, export X=1, readonly X=1, declare -r X=1
(program
  (variable_assignment
    name: (variable_name) @name.definition.variable) @definition.variable)
(program
  (declaration_command
    (variable_assignment
      name: (variable_name) @name.definition.variable) @definition.variable))

; ---- references -----------------------------------------------------------

(command
  name: (command_name (word) @name.reference.call))

; source ./lib.sh, . ./lib.sh
(command
  name: (command_name (word) @_cmd)
  argument: (word) @name.reference.import
  (#any-of? @_cmd "source" "."))
