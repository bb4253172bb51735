"""Definitions and references from a tree-sitter parse, driven by grammars/<lang>-tags.scm.

Capture names follow the common tags convention: `@name.definition.<kind>` marks a definition's
name, `@definition.<kind>` its whole node (the span), `@name.reference.<kind>` a reference.
A pattern may capture `@definition.<kind>` on several sibling nodes (Dart's signature and its
body): the span runs from the first to the last.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from tree_sitter import Node, Parser, Query, QueryCursor, Range

from scout.index.languages import SPECS, grammar, tags_query
from scout.index.records import Definition, Reference

BORROWED_NAMES = frozenset({"impl", "extension"})  # kinds named after a type they do not declare


class RawDefinition(NamedTuple):
    name: str
    kind: str
    name_node: Node
    first: Node  # the whole definition is `first` (its header) through `last` (often the same node)
    last: Node


def extract(lang: str, source: str | bytes, path: str = "") -> tuple[list[Definition], list[Reference]]:
    """Parse `source` as `lang` and return its definitions (with enclosing symbols) and references."""
    # Bytes that are not UTF-8 (a git blob) go through a round trip with replacement: a query
    # predicate decodes node text strictly, and would raise halfway through a file.
    text = source if isinstance(source, str) else source.decode("utf-8", "replace")
    data = text.encode("utf-8", "replace")  # a str may hold lone surrogates (undecodable file text)
    tree = Parser(grammar(lang)).parse(data)
    raw_defs: list[RawDefinition] = []
    raw_refs: list[tuple[str, str, Node]] = []
    receivers: dict[int, Node] = {}  # a definition's start byte → its receiver (Go's method types)
    broken = _broken(tree.root_node)
    roots = [tree.root_node, *(root for node in broken for root in _reparse(lang, data, node))]
    bodies = _macro_bodies(lang, data, roots)
    in_types = {root.id for root, in_type in bodies if in_type}
    for n, root in enumerate([*roots, *(root for root, _ in bodies)]):
        outside = broken if n == 0 else []  # the whole parse's captures in a broken part are partial
        before = len(raw_defs)
        for _, captures in QueryCursor(tags_query(lang)).matches(root):
            _collect(captures, raw_defs, raw_refs, receivers, outside)
        if root.id in in_types:  # `impl Handle { cfg_rt! { pub fn spawn … } }`: spawn is a method
            raw_defs[before:] = [_as_method(d, root) for d in raw_defs[before:]]
    qualifier = SPECS[lang].qualifier
    parents = {start: _text(node) for start, node in receivers.items()}
    return _with_parents(raw_defs, path, parents, qualifier), _references(raw_refs, raw_defs, path, qualifier)


def _collect(
    captures: dict[str, list[Node]], raw_defs: list, raw_refs: list, receivers: dict, outside: list[Node]
) -> None:
    for capture, nodes in captures.items():
        if capture == "receiver":
            _note_receiver(receivers, nodes[0], captures)
            continue
        role, _, kind = capture.partition(".")
        if role != "name":
            continue
        category, _, kind = kind.partition(".")
        for node in nodes:
            if not (text := _text(node)) or any(_inside(node, b) for b in outside):
                continue
            if category == "definition":
                raw_defs.append(_raw_definition(text, kind, node, captures))
            elif category == "reference":
                raw_refs.append((text, kind, node))


# A grammar that trips on one construct (Kotlin's `value class X\n@A internal constructor`, a C++
# macro) makes the rest of the file one ERROR node, and every definition in it is lost. Such a
# node is cut where top-level declarations start (a line beginning at column 0 with a letter, `_`,
# `@` or `#`) and each piece parsed on its own, in place: the trip costs one declaration, not the
# file's remainder.
BROKEN_LINES = 20  # an ERROR node this long is parsed again in pieces
MAX_PIECES = 400  # per file: a file that is all errors is not worth more


def _broken(root: Node) -> list[Node]:
    return [
        c for c in root.children if c.type == "ERROR" and c.end_point[0] - c.start_point[0] >= BROKEN_LINES
    ]


def _inside(node: Node, region: Node) -> bool:
    return region.start_byte <= node.start_byte < region.end_byte


def _reparse(lang: str, data: bytes, region: Node) -> list[Node]:
    """The pieces of a broken region parsed one by one, in place: a root per piece, in order."""
    points = {region.start_byte: region.start_point}
    at, row = region.start_byte, region.start_point[0]
    while (nl := data.find(b"\n", at, region.end_byte)) != -1 and len(points) < MAX_PIECES:
        at, row = nl + 1, row + 1
        head = data[at : at + 1]
        if at < region.end_byte and (head.isalpha() or head in (b"_", b"@", b"#")):
            points[at] = (row, 0)
    starts = sorted(points)
    ends = [*starts[1:], region.end_byte]
    roots = []
    for start, end in zip(starts, ends, strict=True):
        piece = Range(points[start], points.get(end, region.end_point), start, end)
        roots.append(Parser(grammar(lang), included_ranges=[piece]).parse(data).root_node)
    return roots


# Rust writes items inside macro calls: tokio's `cfg_rt! { pub fn spawn … }`, `pin_project! {
# struct … }`, axum's `define_rejection! { pub struct JsonDataError … }`. The grammar keeps such a
# body as an unparsed token tree, so every definition in it was lost (`tokio::spawn` had none). A
# brace-delimited call where an item may stand is parsed again as items, in place, and so are the
# calls inside it (`cfg_rt! { cfg_unstable! { … } }`). A body that is not items parses as errors
# and yields nothing.
ITEM_MACROS = {
    "rust": """
        (source_file (macro_invocation (token_tree) @body))
        (declaration_list (macro_invocation (token_tree) @body))
    """
}


@cache
def _item_macros(lang: str) -> Query:
    return Query(grammar(lang), ITEM_MACROS[lang])


TYPE_BODIES = frozenset({"impl_item", "trait_item"})  # a function in their body is a method


def _macro_bodies(lang: str, data: bytes, roots: list[Node]) -> list[tuple[Node, bool]]:
    """Each item-level macro call's braced body parsed as items, in place: a root per body, and
    whether the call stands in a type's body (its functions are methods)."""
    if lang not in ITEM_MACROS:
        return []
    out: list[tuple[Node, bool]] = []
    todo = [(root, False) for root in roots]
    while todo and len(out) < MAX_PIECES:
        outer, outer_in_type = todo.pop()
        for body in QueryCursor(_item_macros(lang)).captures(outer).get("body", []):
            if data[body.start_byte : body.start_byte + 1] != b"{" or body.end_byte - body.start_byte < 3:
                continue
            (row, col), (end_row, end_col) = body.start_point, body.end_point
            inner = Range((row, col + 1), (end_row, end_col - 1), body.start_byte + 1, body.end_byte - 1)
            root = Parser(grammar(lang), included_ranges=[inner]).parse(data).root_node
            holder = body.parent.parent  # the macro call's: the file, a body of items
            in_type = outer_in_type if holder.id == outer.id else holder.parent.type in TYPE_BODIES
            out.append((root, in_type))
            todo.append((root, in_type))
    return out[:MAX_PIECES]


def _as_method(d: RawDefinition, body: Node) -> RawDefinition:
    """A function standing at the top of a macro body inside a type's body, as a method."""
    top = d.first.parent is not None and d.first.parent.id == body.id
    return d._replace(kind="method") if d.kind == "function" and top else d


def _note_receiver(receivers: dict[int, Node], receiver: Node, captures: dict[str, list[Node]]) -> None:
    """Where several receivers match one definition, the last one before it wins (Perl: the
    nearest `package` statement above a sub)."""
    for capture, wholes in captures.items():
        for whole in wholes if capture.startswith("definition.") else []:
            known = receivers.get(whole.start_byte)
            if known is None or known.start_byte < receiver.start_byte:
                receivers[whole.start_byte] = receiver


def _raw_definition(name: str, kind: str, node: Node, captures: dict[str, list[Node]]) -> RawDefinition:
    wholes = captures.get(f"definition.{kind}", [node])  # none: the name node alone
    first = min(wholes, key=lambda n: n.start_byte)
    return RawDefinition(name, kind, node, first, max(wholes, key=lambda n: n.end_byte))


def _references(
    raw: list[tuple[str, str, Node]], defs: list[RawDefinition], path: str, qualifier: str
) -> list[Reference]:
    """One reference per (name, line), in line order. A node that names a definition is not also a
    reference to it (Elixir's `def f(x)` head is a call like any other), unless the definition
    borrows the name (Rust's `impl Foo` does refer to the type `Foo`). Where the language writes
    qualified names (`Shop.Item`), a reference is to the last part; an import keeps its whole
    path, without quotes."""
    names = {(d.name_node.start_byte, d.name_node.end_byte) for d in defs if d.kind not in BORROWED_NAMES}
    refs: dict[tuple[str, int], Reference] = {}
    for text, kind, node in raw:
        if (node.start_byte, node.end_byte) in names:
            continue
        # an import is a module path, whole (Dart and Perl write some as string literals)
        name = text.strip("'\"") if kind == "import" else text.rpartition(qualifier)[2] if qualifier else text
        line = node.start_point[0] + 1
        refs.setdefault((name, line), Reference(name, kind, path, line))
    return sorted(refs.values(), key=lambda r: (r.line, r.name))


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
    raw: list[RawDefinition], path: str, receivers: dict[int, str] | None = None, qualifier: str = ""
) -> list[Definition]:
    """Attach each definition's innermost enclosing definition, by node containment, or its
    receiver where the grammar names one (a Go method is not inside its type). Where the
    language writes qualified names, `A.B.C` is `C` inside `A.B` (Elixir's `defmodule
    Shop.Inventory`), under whatever encloses it."""
    receivers = receivers or {}
    stack: list[tuple[int, str, tuple[int, int]]] = []  # (end_byte, qualname, (start, end) bytes)
    out = []
    for name, kind, name_node, first, last in _distinct(raw):
        span = (first.start_byte, last.end_byte)
        while stack and (stack[-1][0] < span[1] or stack[-1][2] == span):
            stack.pop()  # ended before this one, or the very same node (`int a, b;`): not a parent
        parent = stack[-1][1] if stack else receivers.get(first.start_byte)
        if qualifier:
            parent, name = _qualified(parent, name, qualifier)
        out.append(
            Definition(
                name=name,
                kind=kind,
                path=path,
                start_line=first.start_point[0] + 1,
                end_line=_end_line(last),
                name_line=name_node.start_point[0] + 1,
                parent=parent,
                head_end=_head_end(first, name_node) if first == last else _end_line(first),
            )
        )
        stack.append((span[1], f"{parent}.{name}" if parent else name, span))
    return out


def _qualified(parent: str | None, name: str, qualifier: str) -> tuple[str | None, str]:
    """`A::B::C` inside `X` is `C` inside `X.A.B`: scout writes every qualified name with dots."""
    prefix, _, name = name.rpartition(qualifier)
    return ".".join(p for p in (parent, prefix) if p).replace(qualifier, ".") or None, name


def _distinct(raw: list[RawDefinition]) -> list[RawDefinition]:
    """One definition per (span, name), outer ones before the ones they contain."""
    seen: set[tuple[int, int, str]] = set()
    out = []
    for d in raw:
        key = (d.first.start_byte, d.last.end_byte, d.name)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return sorted(out, key=lambda d: (d.first.start_byte, -d.last.end_byte))
