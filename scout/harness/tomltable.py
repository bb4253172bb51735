"""Add, replace or remove one `[table]` of a TOML file as text (tomllib reads TOML but cannot write it).

The table runs from its header to the next header that is not one of its own subtables; blank
lines before that header stay where they are. Every result is parsed back with tomllib, so an edit
that would break the file (the table already defined some other way) is refused, not written.
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

from scout.harness.splice import Splice, newline

HEADER = re.compile(r"^[ \t]*\[(\[)?([^\[\]\n]+)\]\]?[ \t]*(?:#.*)?$", re.M)
KEY_PART = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([A-Za-z0-9_-]+))\s*(?:\.|$)')


class TomlError(ValueError):
    pass


def loads(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlError(f"not valid TOML ({exc})") from None


def put(text: str, name: tuple[str, ...], values: dict[str, Any]) -> Splice:
    """Set table `name` to `values` (strings, numbers, booleans, lists of those)."""
    loads(text)
    nl = newline(text)
    table = render(name, values, nl)
    span = _span(text, name)
    if span:
        splice = Splice(span[0], text[span[0] : span[1]], table)
    elif not text:
        splice = Splice(0, "", table)
    else:  # appended after one blank line, whatever the file ended with
        gap = "" if text.endswith(nl * 2) else nl if text.endswith(nl) else nl * 2
        splice = Splice(len(text), "", gap + table)
    after = splice.apply(text)
    try:
        got = _dig(tomllib.loads(after), name)
    except tomllib.TOMLDecodeError:
        got = None
    if got != values:
        raise TomlError(f"[{'.'.join(name)}] is defined in a form scout cannot edit; edit it by hand")
    return splice


def remove(text: str, name: tuple[str, ...]) -> Splice | None:
    span = _span(text, name)
    if span is None:
        return None
    start, end = span
    nl = newline(text)
    if text[:start].endswith(nl * 2):  # the blank line that separated it goes with it
        start -= len(nl)
    return Splice(start, text[start:end], "")


def get(text: str, name: tuple[str, ...]) -> Any:
    return _dig(loads(text), name) if text.strip() else None


def render(name: tuple[str, ...], values: dict[str, Any], nl: str = "\n") -> str:
    lines = [f"[{'.'.join(_key(n) for n in name)}]"]
    lines += [f"{_key(k)} = {_value(v)}" for k, v in values.items()]
    return nl.join(lines) + nl


def _span(text: str, name: tuple[str, ...]) -> tuple[int, int] | None:
    headers = [(m.start(), m.group(1) is not None, _parts(m.group(2))) for m in HEADER.finditer(text)]
    for i, (start, is_array, parts) in enumerate(headers):
        if is_array or parts != name:
            continue
        end = len(text)
        for later, _, other in headers[i + 1 :]:
            if other[: len(name)] != name:  # not one of its subtables
                end = later
                break
        body = text[start:end]
        return start, start + len(body.rstrip("\r\n")) + _trailing_newline(body)
    return None


def _trailing_newline(body: str) -> int:
    rest = body[len(body.rstrip("\r\n")) :]
    return 2 if rest.startswith("\r\n") else 1 if rest.startswith("\n") else 0


def _parts(header: str) -> tuple[str, ...]:
    parts, i = [], 0
    while i < len(header):
        m = KEY_PART.match(header, i)
        if not m or m.end() == i:
            return ()
        basic, literal, bare = m.groups()
        parts.append(
            json.loads(f'"{basic}"') if basic is not None else literal if literal is not None else bare
        )
        i = m.end()
    return tuple(parts)


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _dig(data: Any, name: tuple[str, ...]) -> Any:
    for part in name:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data
