; SQL tags for scout. Written for scout; see grammars/README.md.
; The statements that name something: CREATE TABLE and VIEW (classes, their columns fields),
; FUNCTION, PROCEDURE and TRIGGER (functions), TYPE (types), SCHEMA (modules) and INDEX
; (kind `index`). A schema-qualified name (`shop.orders`) is named by its last part. Tables named
; in FROM, JOIN, UPDATE, INSERT, DELETE, REFERENCES, ALTER and DROP are class references;
; function calls are calls.

; ---- definitions ----------------------------------------------------------

(create_table
  (object_reference name: (identifier) @name.definition.class)) @definition.class
(create_view
  (object_reference name: (identifier) @name.definition.class)) @definition.class
(create_materialized_view
  (object_reference name: (identifier) @name.definition.class)) @definition.class

(column_definitions
  (column_definition
    name: (identifier) @name.definition.field) @definition.field)

(create_function
  (object_reference name: (identifier) @name.definition.function)) @definition.function
(create_procedure
  (object_reference name: (identifier) @name.definition.function)) @definition.function
(create_trigger
  .
  (keyword_create)
  (keyword_trigger)
  .
  (object_reference name: (identifier) @name.definition.function)) @definition.function

(create_type
  (object_reference name: (identifier) @name.definition.type)) @definition.type
(create_schema
  (identifier) @name.definition.module) @definition.module
(create_index
  column: (identifier) @name.definition.index) @definition.index

; ---- references -----------------------------------------------------------

(invocation
  (object_reference name: (identifier) @name.reference.call))

(relation
  (object_reference name: (identifier) @name.reference.class))
(from
  (object_reference name: (identifier) @name.reference.class))
(insert
  (object_reference name: (identifier) @name.reference.class))
(column_definition
  (object_reference name: (identifier) @name.reference.class))
(constraint
  (object_reference name: (identifier) @name.reference.class))
(create_index
  (object_reference name: (identifier) @name.reference.class))
(create_trigger
  (keyword_on)
  .
  (object_reference name: (identifier) @name.reference.class))
[
  (alter_table (object_reference name: (identifier) @name.reference.class))
  (drop_table (object_reference name: (identifier) @name.reference.class))
]
