"""A monorepo-sized corpus: many real repositories checked out side by side in one tree.

    python -m benchmarks.monorepo --mirrors mirrors.json --out /tmp/monorepo [--min-files 80000]

Reads the benchmarks' mirrors map ({"owner/name": git dir}), and extracts each repository's HEAD
into OUT/<owner>__<name>/ (largest first, every language the map has) until the tree holds at
least --min-files files and --min-repos repositories. Blobs missing from a mirror (large files a
fetch left out) are skipped. Nothing is committed: the corpus lives wherever --out says. Then time
it with `python -m benchmarks.speed --repo OUT --runs 1 --questions FILE` (one question per line).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.checkouts import materialise
from scout import git


def file_count(git_dir: Path) -> int:
    out = git.run(git_dir, "ls-tree", "-r", "--name-only", "HEAD", bare=True, timeout=120)
    return len(out.stdout.splitlines()) if out.returncode == 0 else 0


def build(mirrors: dict[str, str], out: Path, min_files: int, min_repos: int) -> dict:
    sizes = {repo: file_count(Path(d)) for repo, d in mirrors.items()}
    order = sorted((r for r in sizes if sizes[r]), key=lambda r: -sizes[r])
    out.mkdir(parents=True, exist_ok=True)
    chosen, total = [], 0
    for repo in order:
        if total >= min_files and len(chosen) >= min_repos:
            break
        dest = out / repo.replace("/", "__")
        if not dest.exists():
            sha = git.output(Path(mirrors[repo]), "rev-parse", "HEAD", bare=True).strip()
            materialise(Path(mirrors[repo]), sha, dest)
        chosen.append(repo)
        total += sizes[repo]
    files = sum(1 for p in out.rglob("*") if p.is_file())
    size_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    return {"repositories": chosen, "files": files, "source_mb": round(size_mb, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirrors", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--min-files", type=int, default=80_000)
    ap.add_argument("--min-repos", type=int, default=20)
    args = ap.parse_args()
    mirrors = json.loads(args.mirrors.read_text(encoding="utf-8"))
    print(json.dumps(build(mirrors, args.out, args.min_files, args.min_repos), indent=2))


if __name__ == "__main__":
    main()
