"""Add or remove one item of a top-level list of strings in a YAML file, as text (aider's `read:`).

PyYAML reads YAML but would rewrite the whole file (comments, order, quoting), so the edit is made
on the text: a missing key is appended as a block list; an item joins a block list after its last
item, or a flow list before its `]`; a single value on the key's line becomes a two-item list.
Every result is parsed back, and an edit that would not read as intended is refused, not written.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from scout.harness.splice import Splice, newline

PLAIN = re.compile(r"^[\w./-]+$")  # written bare; anything else as a JSON (double-quoted) string


class YamlError(ValueError):
    pass


def loads(text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise YamlError(f"not valid YAML ({' '.join(str(exc).split())})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise YamlError("not a YAML mapping of settings")
    return data


def items(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return [] if value is None else value if isinstance(value, list) else [value]


def get(text: str, key: str, item: str) -> str | None:
    return item if item in items(loads(text), key) else None


def put(text: str, key: str, item: str) -> Splice:
    """`item` added at the end of the list under top-level `key`."""
    data = loads(text)
    nl, shown = newline(text), item if PLAIN.match(item) else json.dumps(item)
    line = _key_line(text, key)
    if line is None:
        gap = "" if not text or text.endswith(nl) else nl
        splice = Splice(len(text), "", f"{gap}{key}:{nl}  - {shown}{nl}")
    else:
        splice = _join(text, line, key, shown, nl)
    _check(data, splice.apply(text), key, [*items(data, key), item])
    return splice


def remove(text: str, key: str, item: str) -> Splice | None:
    """`item` taken out of `key`'s list (and the key with it when nothing else is left); None when
    it is not there."""
    data = loads(text)
    if item not in items(data, key):
        return None
    line = _key_line(text, key)
    if line is None:
        return None
    for splice in _removals(text, line, key, item):
        try:
            _check(data, splice.apply(text), key, [i for i in items(data, key) if i != item])
        except YamlError:
            continue
        return splice
    return None


def _key_line(text: str, key: str) -> re.Match[str] | None:
    return re.search(rf"^{re.escape(key)}:[ \t]*(.*?)[ \t]*(#.*)?$", text, re.M)


def _block(text: str, line: re.Match[str]) -> list[re.Match[str]]:
    """The item lines of the block list that follows the key's line."""
    found = []
    for m in re.finditer(r"^([ \t]*)(.*)$", text[line.end() + 1 :], re.M):
        indent, body = m.groups()
        if body.startswith("- ") or body == "-":
            found.append(m)
        elif body and not body.startswith("#") and not indent:
            break  # the next top-level key
    return found


def _join(text: str, line: re.Match[str], key: str, shown: str, nl: str) -> Splice:
    value, base = line.group(1), line.end() + 1
    if value.startswith("[") and value.endswith("]"):
        at = line.start(1) + len(value) - 1
        return Splice(at, "", shown if not value[1:-1].strip() else f", {shown}")
    if value:  # one file on the key's line: made a list of two
        return Splice(line.start(), line.group(0), f"{key}:{nl}  - {value}{nl}  - {shown}")
    block = _block(text, line)
    if not block:
        return Splice(min(base, len(text)), "", f"  - {shown}{nl}")
    last = block[-1]
    at = base + last.end()
    return Splice(at, "", f"{nl}{last.group(1)}- {shown}")


def _removals(text: str, line: re.Match[str], key: str, item: str):
    """Candidate edits taking `item` out, most specific first; the first that parses right wins."""
    value, base = line.group(1), line.end() + 1
    if value.startswith("["):
        for pattern in (rf",\s*{re.escape(item)}", rf"{re.escape(item)}\s*,\s*", re.escape(item)):
            m = re.search(pattern, value)
            if m:
                yield Splice(line.start(1) + m.start(), m.group(0), "")
    block = _block(text, line)
    mine = [m for m in block if m.group(2)[1:].strip().strip("'\"") == item]
    if mine and len(block) == 1:  # the key goes too
        yield Splice(line.start(), text[line.start() : base + mine[0].end() + 1], "")
    for m in mine:
        yield Splice(base + m.start(), text[base + m.start() : base + m.end() + 1], "")
    if value.strip("'\"") == item:
        yield Splice(line.start(), text[line.start() : base], "")


def _check(before: dict[str, Any], after_text: str, key: str, wanted: list[Any]) -> None:
    after = loads(after_text)
    others = {k: v for k, v in after.items() if k != key}
    if items(after, key) != wanted or others != {k: v for k, v in before.items() if k != key}:
        raise YamlError(f"`{key}:` is written in a form scout cannot edit; edit it by hand")
