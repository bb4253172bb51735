"""How often the secret masker fires on ordinary code: its false positives, and what it costs.

    python -m benchmarks.secrets_fp [DIR] [--examples 3] [--json]

Runs `scout.redact` over every line of every file scout would index under DIR (default: the
Django sdist `make demo` downloads, .demo/django-5.2.8), each file's lines masked the way a cited
span is, with its path. A real tree of source code holds few or no live secrets, so nearly every
masked line is a false positive worth looking at: the report gives lines masked / lines scanned,
the reasons that fired most, examples of each, the cost per line, and the cost of masking one
4000-token bundle (the default budget): the first 4000 tokens of each file that long, CPU time,
best of three. Results: docs/security.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

from scout.config import DEFAULT_BUDGET
from scout.index.files import list_files, read_text
from scout.redact import clear_cache, redact, secrets_in
from scout.repo import Repo
from scout.tokens import count_tokens

DEFAULT_DIR = Path(".demo/django-5.2.8")
MAX_BUNDLES = 200


def scan(root: Path, examples: int) -> dict:
    repo = Repo.open(root)
    files = list_files(repo)
    lines = masked = 0
    reasons: Counter[str] = Counter()
    samples: dict[str, list[str]] = defaultdict(list)
    seconds = 0.0
    bundles: list[float] = []
    for info in files:
        text = read_text(repo, info.path)
        if text is None:
            continue
        clear_cache()
        started = time.perf_counter()
        result = redact(text, info.path)
        seconds += time.perf_counter() - started
        lines += text.count("\n") + 1
        masked += result.lines
        reasons.update(result.reasons)
        if result.lines:
            _collect(text, info.path, samples, examples)
        if len(bundles) < MAX_BUNDLES:
            bundles += _bundle_ms(text, info.path)
    return {
        "dir": str(root),
        "files": len(files),
        "lines": lines,
        "masked_lines": masked,
        "masked_share": round(masked / lines, 6) if lines else 0.0,
        "us_per_line": round(seconds / lines * 1e6, 2) if lines else 0.0,
        "bundle_ms": _summary(bundles),
        "reasons": dict(reasons.most_common()),
        "examples": dict(samples),
    }


def _bundle_ms(text: str, path: str) -> list[float]:
    """CPU milliseconds to mask the first DEFAULT_BUDGET tokens of `text` (none if it is shorter)."""
    if count_tokens(text) < DEFAULT_BUDGET:
        return []
    lines, kept, used = text.split("\n"), [], 0
    for line in lines:
        used += count_tokens(line) + 1
        if used > DEFAULT_BUDGET:
            break
        kept.append(line)
    chunk = "\n".join(kept)
    best = float("inf")
    for _ in range(3):
        clear_cache()
        started = time.process_time()
        redact(chunk, path)
        best = min(best, time.process_time() - started)
    return [best * 1000]


def _summary(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {}
    ordered = sorted(samples)
    return {
        "bundles": len(ordered),
        "median": round(statistics.median(ordered), 2),
        "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 2),
        "max": round(ordered[-1], 2),
    }


def _collect(text: str, path: str, samples: dict[str, list[str]], examples: int) -> None:
    for n, line in enumerate(text.split("\n"), 1):
        for value, reason in secrets_in(line, path):
            if len(samples[reason]) < examples:
                samples[reason].append(f"{path}:{n}: {value[:80]}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--examples", type=int, default=3, help="examples shown per reason")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if not args.dir.is_dir():
        raise SystemExit(f"no such directory: {args.dir} (make demo downloads the Django sdist)")
    report = scan(args.dir, args.examples)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(
        f"{report['dir']}: {report['masked_lines']:,} of {report['lines']:,} lines masked "
        f"({report['masked_share']:.3%}) in {report['files']:,} files; {report['us_per_line']} µs per line"
    )
    cost = report["bundle_ms"]
    if cost:
        print(
            f"masking a {DEFAULT_BUDGET}-token bundle: median {cost['median']} ms, p90 {cost['p90']} ms, "
            f"max {cost['max']} ms (CPU, {cost['bundles']} bundles)"
        )
    for reason, count in report["reasons"].items():
        print(f"  {count:6,}  {reason}")
        for example in report["examples"].get(reason, []):
            print(f"          {example}")


if __name__ == "__main__":
    main()
