"""What `scout install` and `scout uninstall` change, file by file, and the record that joins them.

Install plans one `Change` per file (a harness's config, and AGENTS.md / CLAUDE.md in the project),
each a splice on the file's current text; nothing is written until every plan has been made and
checked, and each written file is parsed back. The record (`installed.json` beside the user's
scout config) keeps each splice and a hash of the file as scout left it. Uninstall undoes the
splice when the file still has that hash, which restores the original bytes; when something else
changed the file since, it takes out only scout's entry and leaves the rest as it is now.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scout.errors import ScoutError
from scout.harness import block, jsonc, tomltable, yamllist
from scout.harness.harnesses import Harness
from scout.harness.splice import Splice

STATE_FORMAT = "scout-install/1"
SERVER = "scout"  # the server's name in every harness's config


@dataclass
class Change:
    target: str  # a harness name, or "instructions"
    label: str  # "Claude Code", "AGENTS.md"
    path: Path
    what: str  # what scout adds or removes there, in words
    before: str | None  # the file's text now; None when there is no file
    after: str | None  # the text to write; None: delete the file
    record: dict[str, Any] | None = None  # install: what to remember; uninstall: None
    note: str = ""

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self, shown: str) -> str:
        old = (self.before or "").splitlines(keepends=True)
        new = (self.after or "").splitlines(keepends=True)
        lines = difflib.unified_diff(
            old,
            new,
            "/dev/null" if self.before is None else shown,
            "/dev/null" if self.after is None else shown,
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


class State:
    """The record of what `scout install` wrote, keyed by file path."""

    def __init__(self, path: Path, records: dict[str, dict[str, Any]]) -> None:
        self.path, self.records = path, records

    @classmethod
    def load(cls, path: Path) -> State:
        if not path.is_file():
            return cls(path, {})
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, {r["path"]: r for r in data["changes"]})
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ScoutError(f"cannot read {path}: {exc}", hint="move it aside to start afresh") from None

    def save(self) -> None:
        if not self.records:
            self.path.unlink(missing_ok=True)
            return
        data = {"format": STATE_FORMAT, "changes": list(self.records.values())}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def plan_server(harness: Harness, path: Path, entry: Any, state: State) -> Change:
    """Add (or update) scout's server entry in one harness's config file (for aider, which has no
    MCP, the conventions file in its `read:` list)."""
    edit = _Edit(harness.format, harness.container)
    return _plan(harness.name, harness.label, path, edit, state, entry)


def plan_instructions(path: Path, state: State, mcp: bool = True) -> Change:
    """Add scout's paragraph to AGENTS.md, CLAUDE.md, GEMINI.md or (without MCP) CONVENTIONS.md."""
    return _plan("instructions", path.name, path, _Edit("markdown", () if mcp else ("cli",)), state, None)


def plan_removal(record: dict[str, Any]) -> Change:
    """Undo one recorded install: exactly when the file is as scout left it, else only scout's part."""
    path = Path(record["path"])
    edit = _Edit(record["format"], tuple(record["container"]))
    label, what = record["label"], f"remove {edit.describe()}"
    current = read_text(path)
    if current is None:
        return Change(record["target"], label, path, what, None, None, note="file is gone")
    if _sha(current) == record["sha256"] and not record.get("surgical"):
        original = Splice.from_dict(record["splice"]).undo(current)
        after = None if not record["existed"] and original == "" else original
        return Change(record["target"], label, path, what, current, after)
    splice = edit.remove(current)
    after = splice.apply(current) if splice else current
    note = "changed since scout install: taking out only scout's part" if splice else "scout's part is gone"
    return Change(record["target"], label, path, what, current, after, note=note)


def apply(changes: Iterable[Change], state: State, installing: bool) -> None:
    """Write every change and the record; a file scout created (and nothing else touched) is deleted
    again on uninstall, with the directories scout made for it."""
    for change in changes:
        key = str(change.path)
        if change.changed:
            if change.after is None:
                change.path.unlink(missing_ok=True)
                _remove_empty_dirs(state.records.get(key, {}).get("dirs", []))
            else:
                made = _make_parents(change.path)
                write_text(change.path, change.after)
                if change.record is not None:
                    change.record["dirs"] = sorted({*change.record.get("dirs", []), *map(str, made)})
        if installing and change.record is not None:
            state.records[key] = change.record
        elif not installing:
            state.records.pop(key, None)
    state.save()


class _Edit:
    """scout's part of a file of one format: a server entry, a TOML table, a YAML list item (the
    container is its key, then the item) or a Markdown block (the container says which paragraph)."""

    def __init__(self, fmt: str, container: tuple[str, ...]) -> None:
        self.format, self.container = fmt, container

    def describe(self) -> str:
        if self.format == "toml":
            return f"[{'.'.join((*self.container, SERVER))}]"
        if self.format == "json":
            return ".".join((*self.container, SERVER))
        if self.format == "yaml":
            return f"{self.container[0]}: {self.container[1]}"
        return "scout's paragraph"

    def put(self, text: str, entry: Any) -> Splice:
        try:
            if self.format == "json":
                return jsonc.put(text, self.container, SERVER, entry)
            if self.format == "toml":
                return tomltable.put(text, (*self.container, SERVER), entry)
            if self.format == "yaml":
                return yamllist.put(text, *self.container)
            return block.put(text, "cli" if self.container == ("cli",) else "mcp")
        except (jsonc.JsoncError, tomltable.TomlError, yamllist.YamlError) as exc:
            raise ScoutError(str(exc)) from None

    def current(self, text: str) -> Any:
        if self.format == "json":
            return jsonc.get(text, self.container, SERVER)
        if self.format == "toml":
            return tomltable.get(text, (*self.container, SERVER))
        if self.format == "yaml":
            return yamllist.get(text, *self.container)
        return block.present(text) or None

    def remove(self, text: str) -> Splice | None:
        try:
            if self.format == "json":
                return jsonc.remove(text, self.container, SERVER)
            if self.format == "toml":
                return tomltable.remove(text, (*self.container, SERVER))
            if self.format == "yaml":
                return yamllist.remove(text, *self.container)
            return block.remove(text)
        except (jsonc.JsoncError, tomltable.TomlError, yamllist.YamlError) as exc:
            raise ScoutError(str(exc)) from None


def _plan(
    target: str, label: str, path: Path, edit: _Edit, state: State, entry: dict[str, Any] | None
) -> Change:
    try:
        current = read_text(path)
        record = state.records.get(str(path))
        base, surgical = current or "", False
        if record and current is not None and _sha(current) == record["sha256"]:
            # As scout left it: plan against the original, so one record still undoes everything.
            base, surgical = Splice.from_dict(record["splice"]).undo(current), record.get("surgical", False)
        elif record:
            surgical = True  # scout's old entry is mixed with later edits: undo must not bring it back
        elif current is not None and edit.current(current) == (entry if entry is not None else True):
            what = f"{edit.describe()} is already there"
            return Change(target, label, path, what, current, current)  # set up by hand: leave it alone
        splice = edit.put(base, entry)
    except ScoutError as exc:
        raise ScoutError(
            f"cannot edit {path}: {exc}", hint="fix the file, or leave it out with --only"
        ) from None
    after = splice.apply(base)
    existed = record["existed"] if record else current is not None
    what = f"{'update' if edit.current(base) else 'add'} {edit.describe()}"
    keep = {
        "target": target,
        "label": label,
        "path": str(path),
        "format": edit.format,
        "container": list(edit.container),
        "existed": existed,
        "splice": splice.to_dict(),
        "sha256": _sha(after),
        "surgical": surgical,
        "dirs": record.get("dirs", []) if record else [],
        "installed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if after == current:
        keep = record or keep
    return Change(target, label, path, what, current, after, record=keep)


def read_text(path: Path) -> str | None:
    """The file's exact text (line endings and a byte-order mark kept), None if there is none."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ScoutError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScoutError(f"cannot edit {path}: it is not UTF-8 text") from None


def write_text(path: Path, text: str) -> None:
    """Replace the file in one step (a crash leaves the old or the new file, never half of one),
    keeping its permissions (~/.claude.json is private to its user) and any symlink to it (dotfiles)."""
    path = path.resolve() if path.is_symlink() else path
    tmp = path.with_name(f".{path.name}.scout-{os.getpid()}.tmp")
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    with open(tmp, "wb") as out:
        out.write(text.encode("utf-8"))
    if mode is not None:
        os.chmod(tmp, mode)
    os.replace(tmp, path)


def _make_parents(path: Path) -> list[Path]:
    missing = [p for p in reversed(path.parents) if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    return missing


def _remove_empty_dirs(dirs: list[str]) -> None:
    for d in sorted(dirs, key=len, reverse=True):  # deepest first
        try:
            Path(d).rmdir()  # only when empty: anything someone put there since stays
        except OSError:
            continue


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
