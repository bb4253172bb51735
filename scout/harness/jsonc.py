"""Edit one member of a JSON (or JSON-with-comments) object as text, leaving every other byte alone.

VS Code's and OpenCode's files allow `//` and `/* */` comments and trailing commas, and Claude
Code's `~/.claude.json` holds much besides its servers, so a file is never parsed and re-dumped:
the scanner finds where members start and end, and a `Splice` inserts or replaces one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from scout.harness.splice import Splice, newline


class JsoncError(ValueError):
    pass


@dataclass(frozen=True)
class Member:
    key: str
    start: int  # the key's opening quote
    value_start: int
    value_end: int
    comma: int | None  # the comma after the value, if any


def loads(text: str) -> Any:
    """Parse JSON that may have comments and trailing commas; JsoncError (with a line) if it is not."""
    try:
        return json.loads(_plain(text))
    except json.JSONDecodeError as exc:
        raise JsoncError(f"not valid JSON (line {exc.lineno}: {exc.msg})") from None


def put(text: str, path: tuple[str, ...], key: str, value: Any) -> Splice:
    """Set `key` to `value` in the object at `path` (created as needed) of the document `text`."""
    if not text.strip():
        return Splice(0, text, _render(_nest(path, key, value), "", "  ", "\n") + "\n")
    loads(text)
    nl, unit = newline(text), _indent_unit(text)
    obj = _root(text)
    for depth, name in enumerate(path):
        found = {m.key: m for m in members(text, obj)[0]}.get(name)
        if found is None:
            return _insert(text, obj, name, _nest(path[depth + 1 :], key, value), unit, nl)
        if text[found.value_start] != "{":
            raise JsoncError(f"{'.'.join(path[: depth + 1])} is not an object")
        obj = found.value_start
    found = {m.key: m for m in members(text, obj)[0]}.get(key)
    if found is None:
        return _insert(text, obj, key, value, unit, nl)
    indent = _line_indent(text, found.start)
    rendered = _render(value, indent, unit, nl)
    return Splice(found.value_start, text[found.value_start : found.value_end], rendered)


def remove(text: str, path: tuple[str, ...], key: str) -> Splice | None:
    """Take `key` (and its comma) out of the object at `path`; None when it is not there."""
    obj = _root(text)
    for name in path:
        found = {m.key: m for m in members(text, obj)[0]}.get(name)
        if found is None or text[found.value_start] != "{":
            return None
        obj = found.value_start
    items, close = members(text, obj)
    keys = [m.key for m in items]
    if key not in keys:
        return None
    i = keys.index(key)
    m = items[i]
    if i + 1 < len(items):  # up to the next member's key: its indentation stays where this one's was
        start, end = m.start, items[i + 1].start
    elif i > 0:  # the last one: from the end of the one before (its comma goes too)
        start, end = items[i - 1].value_end, (m.comma + 1 if m.comma is not None else m.value_end)
    else:
        start, end = obj + 1, close
    return Splice(start, text[start:end], "")


def get(text: str, path: tuple[str, ...], key: str) -> Any:
    data = loads(text) if text.strip() else {}
    for name in (*path, key):
        if not isinstance(data, dict) or name not in data:
            return None
        data = data[name]
    return data


def members(text: str, obj: int) -> tuple[list[Member], int]:
    """The members of the object whose `{` is at `obj`, and the index of its `}`."""
    out: list[Member] = []
    i = _skip(text, obj + 1)
    while _at(text, i) != "}":
        if _at(text, i) != '"':
            raise JsoncError(f"expected a key at offset {i}")
        start, key_end = i, _string_end(text, i)
        i = _skip(text, key_end)
        if _at(text, i) != ":":
            raise JsoncError(f"expected ':' at offset {i}")
        value_start = _skip(text, i + 1)
        value_end = _value_end(text, value_start)
        i = _skip(text, value_end)
        comma = None
        if _at(text, i) == ",":
            comma, i = i, _skip(text, i + 1)
        out.append(Member(json.loads(text[start:key_end]), start, value_start, value_end, comma))
    return out, i


def _insert(text: str, obj: int, key: str, value: Any, unit: str, nl: str) -> Splice:
    items, close = members(text, obj)
    outer = _line_indent(text, obj)
    indent = _line_indent(text, items[0].start) if items and _own_line(text, items[0].start) else outer + unit
    entry = f"{json.dumps(key, ensure_ascii=False)}: {_render(value, indent, unit, nl)}"
    if items and items[-1].comma is not None:  # a trailing comma (JSONC): keep the style
        return Splice(items[-1].comma + 1, "", f"{nl}{indent}{entry},")
    if items:
        return Splice(items[-1].value_end, "", f",{nl}{indent}{entry}")
    inner = text[obj + 1 : close]
    if inner.strip():  # only comments inside: keep them, after the new member
        return Splice(obj + 1, "", f"{nl}{indent}{entry}")
    return Splice(obj + 1, inner, f"{nl}{indent}{entry}{nl}{outer}")


def _render(value: Any, indent: str, unit: str, nl: str) -> str:
    """JSON for `value` as it would sit at `indent`: objects one member a line, lists of plain
    values on one line (["mcp", "--repo", "."]), as people write these files."""
    if isinstance(value, dict) and value:
        inner = indent + unit
        lines = [
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_render(v, inner, unit, nl)}"
            for k, v in value.items()
        ]
        return "{" + nl + ("," + nl).join(lines) + nl + indent + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        inner = indent + unit
        return (
            "[" + nl + ("," + nl).join(inner + _render(v, inner, unit, nl) for v in value) + nl + indent + "]"
        )
    return json.dumps(value, ensure_ascii=False)


def _nest(path: tuple[str, ...], key: str, value: Any) -> Any:
    for name in reversed((*path, key)):
        value = {name: value}
    return value


def _root(text: str) -> int:
    i = _skip(text, 0)
    if _at(text, i) != "{":
        raise JsoncError("the top level is not an object")
    return i


def _indent_unit(text: str) -> str:
    """The file's indentation step: a tab, or the smallest indentation of a line that starts a key."""
    widths = [m.group(1) for m in re.finditer(r'^([ \t]+)"', text, re.M)]
    if any(w.startswith("\t") for w in widths):
        return "\t"
    return " " * min((len(w) for w in widths), default=2)


def _line_indent(text: str, at: int) -> str:
    line = text[text.rfind("\n", 0, at) + 1 : at]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _own_line(text: str, at: int) -> bool:
    return not text[text.rfind("\n", 0, at) + 1 : at].strip()


def _at(text: str, i: int) -> str:
    if i >= len(text):
        raise JsoncError("unexpected end of file")
    return text[i]


def _skip(text: str, i: int) -> int:
    """Past whitespace (and a byte-order mark) and comments."""
    n = len(text)
    while i < n:
        if text[i] in " \t\r\n\ufeff":
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                raise JsoncError("unterminated comment")
            i = end + 2
        else:
            break
    return i


def _string_end(text: str, i: int) -> int:
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
        elif text[j] == '"':
            return j + 1
        else:
            j += 1
    raise JsoncError("unterminated string")


def _value_end(text: str, i: int) -> int:
    c = _at(text, i)
    if c == '"':
        return _string_end(text, i)
    if c not in "{[":
        end = i
        while end < len(text) and text[end] not in ",}] \t\r\n/":
            end += 1
        if end == i:
            raise JsoncError(f"expected a value at offset {i}")
        return end
    depth = 0
    while True:
        i = _skip(text, i)
        c = _at(text, i)
        if c == '"':
            i = _string_end(text, i)
            continue
        if c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1


def _plain(text: str) -> str:
    """The text without comments and trailing commas (strings untouched), for json.loads."""
    out, i, n = [], 0, len(text)
    pending_comma = None  # a comma held back until we know a member or element follows it
    while i < n:
        c = text[i]
        if c == '"':
            end = _string_end(text, i)
            chunk, i = text[i:end], end
        elif (c in " \t\r\n\ufeff" or text.startswith(("//", "/*"), i)) and _skip(text, i) > i:
            end = _skip(text, i)  # whitespace and comments: kept as their line breaks, for error lines
            out.append("\n" * text.count("\n", i, end) or " ")
            i = end
            continue
        else:
            chunk, i = c, i + 1
        if chunk == ",":
            pending_comma = ","
            continue
        if pending_comma and chunk not in ("}", "]"):
            out.append(pending_comma)
        pending_comma = None
        out.append(chunk)
    if pending_comma:
        out.append(pending_comma)
    return "".join(out)
