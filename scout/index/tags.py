"""Definitions and references from a tree-sitter parse, driven by grammars/<lang>-tags.scm.

Capture names follow the common tags convention: `@name.definition.<kind>` marks a definition's
name, `@definition.<kind>` its whole node (the span), `@name.reference.<kind>` a reference.
"""

from __future__ import annotations

from tree_sitter import Node, Parser, QueryCursor

from scout.index.languages import grammar, tags_query
from scout.index.records import Definition, Reference


def extract(lang: str, source: str | bytes, path: str = "") -> tuple[list[Definition], list[Reference]]:
    """Parse `source` as `lang` and return its definitions (with enclosing symbols) and references."""
    # Bytes that are not UTF-8 (a git blob) go through a round trip with replacement: a query
    # predicate decodes node text strictly, and would raise halfway through a file.
    text = source if isinstance(source, str) else source.decode("utf-8", "replace")
    data = text.encode("utf-8", "replace")  # a str may hold lone surrogates (undecodable file text)
    tree = Parser(grammar(lang)).parse(data)
    raw_defs: list[tuple[str, str, Node, Node]] = []
    refs: dict[tuple[str, int], Reference] = {}
    receivers: dict[int, str] = {}  # a definition node's start byte → its receiver type (Go methods)
    for _, captures in QueryCursor(tags_query(lang)).matches(tree.root_node):
        for capture, nodes in captures.items():
            if capture == "receiver":
                for whole in captures.get("definition.method", []):
                    receivers[whole.start_byte] = _text(nodes[0])
                continue
            role, _, kind = capture.partition(".")
            if role != "name":
                continue
            category, _, kind = kind.partition(".")
            for node in nodes:
                text = _text(node)
                if not text:
                    continue
                if category == "definition":
                    whole = captures.get(f"definition.{kind}", [node])[0]
                    raw_defs.append((text, kind, node, whole))
                elif category == "reference":
                    line = node.start_point[0] + 1
                    refs.setdefault((text, line), Reference(text, kind, path, line))
    return _with_parents(raw_defs, path, receivers), sorted(refs.values(), key=lambda r: (r.line, r.name))


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace").strip()


def _end_line(node: Node) -> int:
    # A node that ends at column 0 (a C #define swallows its newline) ends on the line before.
    row, col = node.end_point
    return row if col == 0 and row > node.start_point[0] else row + 1


OPENERS = (b"{", b":", b"do", b"=>", b"=")


def _head_end(whole: Node, name: Node) -> int:
    """The last line of a definition's header: the line its body opens on (`{`, `:`, `do` on the
    signature's line) or the line before the body. Grammars name the body field `body`; for one
    without, the name's line."""
    node = whole.child_by_field_name("definition") or whole  # a decorated definition
    body = node.child_by_field_name("body")
    if body is None or body.start_point[0] < name.start_point[0]:
        return name.start_point[0] + 1
    row = body.start_point[0]
    opens_here = (body.text or b"").lstrip().startswith(OPENERS) or row == name.start_point[0]
    return row + 1 if opens_here else max(row, name.start_point[0] + 1)


def _with_parents(
    raw: list[tuple[str, str, Node, Node]], path: str, receivers: dict[int, str] | None = None
) -> list[Definition]:
    """Attach each definition's innermost enclosing definition, by node containment, or its
    receiver's type where the grammar names one (a Go method is not inside its type)."""
    receivers = receivers or {}
    seen: set[tuple[int, int, str]] = set()
    items = []
    for name, kind, name_node, whole in raw:
        key = (whole.start_byte, whole.end_byte, name)
        if key in seen:
            continue
        seen.add(key)
        items.append((whole.start_byte, -whole.end_byte, name, kind, name_node, whole))
    items.sort(key=lambda t: (t[0], t[1]))
    stack: list[tuple[int, str, tuple[int, int]]] = []  # (end_byte, qualname, (start, end) bytes)
    out = []
    for _, _, name, kind, name_node, whole in items:
        while stack and (stack[-1][0] < whole.end_byte or stack[-1][2] == (whole.start_byte, whole.end_byte)):
            stack.pop()  # ended before this one, or the very same node (`int a, b;`): not a parent
        parent = stack[-1][1] if stack else receivers.get(whole.start_byte)
        out.append(
            Definition(
                name=name,
                kind=kind,
                path=path,
                start_line=whole.start_point[0] + 1,
                end_line=_end_line(whole),
                name_line=name_node.start_point[0] + 1,
                parent=parent,
                head_end=_head_end(whole, name_node),
            )
        )
        span = (whole.start_byte, whole.end_byte)
        stack.append((whole.end_byte, f"{parent}.{name}" if parent else name, span))
    return out
