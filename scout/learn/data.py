"""The committed training data: one folder per repository under `data/`, and its manifest.

The machine that builds scout is not kept, so everything training needs lives in the repository:
`data/repos.json` lists the training repositories (name, language, split, mined commit, licence)
and, for each one mined, its files with their SHA-256; `data/repos/<owner>+<name>/` holds them.
Files are gzip (mtime 0, so the same content gives the same bytes), written to a temporary name
and renamed, and entered in the manifest only once whole: a run that stops loses at most the file
it was writing. No source code is stored: questions, qualified names, paths, line ranges, terms
with their counts and signal values. The wheel and the sdist leave `data/` out.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from scout.errors import ScoutError

DATA = Path("data")
MANIFEST = "repos.json"
FORMAT = 1  # bump when a file's schema changes; readers refuse other versions
# What one repository's folder holds, in the order the stages make them (data/README.md).
FILES = ("tasks.jsonl.gz", "terms.txt.gz", "pairs.json.gz", "recordings.json.gz")
EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")


@dataclass(frozen=True)
class DataDir:
    root: Path

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def folder(self, repo: str) -> Path:
        return self.root / "repos" / repo.replace("/", "+")

    def entries(self) -> list[dict]:
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ScoutError(f"cannot read the data manifest {self.manifest_path}: {exc}") from None

    def entry(self, repo: str) -> dict:
        for row in self.entries():
            if row["repo"] == repo:
                return row
        raise ScoutError(f"{repo} is not in {self.manifest_path}")

    def has(self, repo: str, name: str) -> bool:
        return name in self.entry(repo).get("files", {})

    def write(self, repo: str, name: str, payload: bytes, **facts) -> None:
        """Store one file of `repo` (gzip-compressed here) and enter it, with `facts`, in the manifest."""
        folder = self.folder(repo)
        folder.mkdir(parents=True, exist_ok=True)
        data = gzip.compress(payload, compresslevel=9, mtime=0)
        _atomic_write(folder / name, data)
        self.update(repo, files={name: {"sha256": _sha256(data), "bytes": len(data)}}, **facts)

    def read(self, repo: str, name: str) -> bytes:
        path = self.folder(repo) / name
        try:
            return gzip.decompress(path.read_bytes())
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise ScoutError(
                f"cannot read {path}: {exc}", hint="`make data-check` verifies the folder"
            ) from None

    def read_json(self, repo: str, name: str):
        value = json.loads(self.read(repo, name))
        if isinstance(value, dict) and value.get("format", FORMAT) != FORMAT:
            raise ScoutError(f"{repo}/{name} is format {value.get('format')}; this scout reads {FORMAT}")
        return value

    def update(self, repo: str, files: dict | None = None, **facts) -> None:
        """Merge `facts` (and `files`) into the repository's manifest row, atomically, under a lock
        (two mining processes may share the folder)."""
        with (self.root / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            rows = self.entries()
            row = next((r for r in rows if r["repo"] == repo), None)
            if row is None:
                raise ScoutError(f"{repo} is not in {self.manifest_path}")
            row.update(facts)
            if files:
                row["files"] = {**row.get("files", {}), **files}
            text = json.dumps(rows, indent=1, ensure_ascii=False) + "\n"
            _atomic_write(self.manifest_path, text.encode())

    def verify(self) -> list[str]:
        """Every problem with the folder: a listed file missing or changed, a file nobody listed."""
        problems, listed = [], set()
        for row in self.entries():
            for name, meta in row.get("files", {}).items():
                path = self.folder(row["repo"]) / name
                listed.add(path)
                if not path.is_file():
                    problems.append(f"{path}: listed in {MANIFEST} but missing")
                elif _sha256(path.read_bytes()) != meta["sha256"]:
                    problems.append(f"{path}: its SHA-256 differs from {MANIFEST}")
        stray = {p for p in (self.root / "repos").glob("*/*") if p.is_file()} - listed
        problems += [f"{p}: not listed in {MANIFEST}" for p in sorted(stray)]
        return problems

    def digest(self, repos: list[str], names: tuple[str, ...]) -> str:
        """One hash of the listed files' checksums: a stage's inputs, for its reuse key."""
        rows = {r["repo"]: r.get("files", {}) for r in self.entries()}
        parts = [
            f"{repo}/{n}:{rows.get(repo, {}).get(n, {}).get('sha256', '-')}" for repo in repos for n in names
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def scrub(text: str) -> str:
    """Text bound for the data folder with e-mail addresses removed (commit messages carry them)."""
    return EMAIL.sub("<email>", text)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def main(argv: list[str]) -> int:
    """`python -m scout.learn.data [DIR]` (`make data-check`): verify the folder, exit 1 on a problem."""
    import sys

    data = DataDir(Path(argv[0]) if argv else DATA)
    problems = data.verify()
    files = sum(len(r.get("files", {})) for r in data.entries())
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{data.root}: {files} files checked, {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
