"""The orchestrator: an evidence bundle plus the issue go to a frontier model, which answers with a
plan or a patch. A patch is checked with `git apply --check`; a rejected one goes back to the model
with git's error and the current text around its hunks, at most `max_repairs` times.

Every run reports what the scout saved: the tokens of the prompt as sent, against the same prompt
with the full text of every cited file in place of the bundle (the naive baseline).

Untrusted text (the issue, the evidence, file text, git's messages) is fenced with a tag drawn
for the run (`scout.prompts.fence`), and the system prompt says what is inside is data.

Secrets: the bundle's lines were masked where they entered it; what this module reads or is handed
itself, the issue and the file text around a rejected hunk, is masked before it is sent
(`redact=False` turns that off, with the `redact` setting).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scout import git
from scout.bundle import Bundle, Span, render_span
from scout.errors import ScoutError
from scout.index.files import read_text
from scout.llm import Chat, Message, Usage
from scout.prompts import Prompt, load
from scout.prompts.fence import new_tag, wrap
from scout.redact import redact as mask
from scout.redact import redact_range
from scout.repo import Repo
from scout.tokens import count_tokens

GIT_TIMEOUT = 30
REPAIR_CONTEXT = 10  # lines shown either side of a rejected hunk
MAX_ERROR_LINES = 20
_FENCE = re.compile(r"```[ \t]*(?:diff|patch|udiff)?[ \t]*\n(.*?)^```", re.S | re.M)
_DIFF_START = re.compile(r"^(?:diff --git |--- )", re.M)
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? ", re.M)
_OLD_PATH = re.compile(r"^--- (?:a/)?(\S+)", re.M)


@dataclass
class Savings:
    sent: int  # scout-tokens/1 of the first request: system prompt, issue and bundle
    baseline: int  # the same request with the full text of every cited file instead
    files: list[str]  # the cited files
    sent_total: int = 0  # every request of the run, repairs included

    @property
    def saved(self) -> float:
        return 1.0 - self.sent / self.baseline if self.baseline else 0.0

    def to_dict(self) -> dict[str, object]:
        return {**self.__dict__, "saved": round(self.saved, 4)}


@dataclass
class Outcome:
    kind: str  # "plan" or "patch"
    text: str  # the plan, or the diff that applies ("" when none did)
    ok: bool
    prompt: str  # the prompt's id, e.g. "patch-v1"
    savings: Savings
    usage: Usage  # the frontier model's, for this run (replies served from cache cost nothing)
    attempts: int = 1  # model requests made
    errors: list[str] = field(default_factory=list)  # why each rejected diff was rejected


def plan(issue: str, bundle: Bundle, chat: Chat, repo: Repo, redact: bool = True) -> Outcome:
    prompt, fence = load("plan"), new_tag()
    issue = mask(issue).text if redact else issue
    messages = request(prompt, issue, evidence(bundle), fence)
    savings = measure(prompt, issue, bundle, repo, messages, fence)
    reply = chat.chat(messages)
    savings.sent_total = savings.sent
    text = reply.text.strip()
    return Outcome("plan", text, bool(text), prompt.id, savings, chat.usage)


def patch(
    issue: str, bundle: Bundle, chat: Chat, repo: Repo, max_repairs: int = 2, redact: bool = True
) -> Outcome:
    prompt, fence = load("patch"), new_tag()
    issue = mask(issue).text if redact else issue
    messages = request(prompt, issue, evidence(bundle), fence)
    outcome = Outcome(
        "patch", "", False, prompt.id, measure(prompt, issue, bundle, repo, messages, fence), chat.usage
    )
    for attempt in range(max_repairs + 1):
        outcome.savings.sent_total += count_messages(messages)
        reply = chat.chat(messages)
        outcome.attempts = attempt + 1
        messages.append(reply.as_message())
        diff = extract_diff(reply.text)
        error = check(repo, diff) if diff else "the reply holds no unified diff"
        if error is None:
            outcome.text, outcome.ok = diff or "", True
            return outcome
        outcome.errors.append(error)
        messages.append({"role": "user", "content": repair_request(repo, diff or "", error, fence, redact)})
    return outcome


def request(prompt: Prompt, issue: str, evidence_text: str, fence: str) -> list[Message]:
    """The opening messages: the issue and the evidence each fenced as untrusted text."""
    user = prompt.render_user(
        issue=wrap(issue.strip(), fence, "issue"), evidence=wrap(evidence_text, fence, "repository excerpts")
    )
    return [
        {"role": "system", "content": prompt.render_system(fence=fence)},
        {"role": "user", "content": user},
    ]


def evidence(bundle: Bundle) -> str:
    return bundle.to_markdown(for_model=True) if bundle.found else "(the scout found no evidence)"


def measure(
    prompt: Prompt, issue: str, bundle: Bundle, repo: Repo, messages: list[Message], fence: str
) -> Savings:
    files = list(dict.fromkeys(s.path for s in bundle.spans))
    naive = "\n".join(_whole_file(repo, path) for path in files) or evidence(bundle)
    baseline = count_messages(request(prompt, issue, naive, fence))
    return Savings(count_messages(messages), baseline, files)


def _whole_file(repo: Repo, path: str) -> str:
    text = (read_text(repo, path) or "").rstrip("\n")  # files past the index's size cap count as empty
    return render_span(Span(path, 1, text.count("\n") + 1, 0.0, "whole file", text=text))


def count_messages(messages: list[Message]) -> int:
    return sum(count_tokens(m.get("content") or "") for m in messages)


def extract_diff(text: str) -> str | None:
    """The unified diff in a model's reply: a fenced block that looks like one, else the text
    from the first `diff --git` / `---` line on."""
    for block in _FENCE.findall(text):
        if _DIFF_START.search(block) and "@@" in block:
            return block if block.endswith("\n") else block + "\n"
    start = _DIFF_START.search(text)
    if start is None or "@@" not in text:
        return None
    diff = text[start.start() :].rstrip("`\n ") + "\n"
    return diff


def check(repo: Repo, diff: str) -> str | None:
    """git's complaint about applying `diff` to the work tree, or None when it applies cleanly."""
    code, out, err = _git_apply(repo, diff, "--check")
    if code == 0:
        return None
    lines = (err or out).strip().splitlines()
    return "\n".join(lines[:MAX_ERROR_LINES]) or f"git apply exited with {code}"


def apply(repo: Repo, diff: str) -> None:
    code, _, err = _git_apply(repo, diff)
    if code != 0:
        raise ScoutError(f"git apply failed: {err.strip().splitlines()[:1]}")


def _git_apply(repo: Repo, diff: str, *flags: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `git apply` in the work tree. scout.git keeps git from adopting
    an enclosing checkout: from a subdirectory of one, `git apply` would silently skip paths outside
    that subdirectory."""
    argv = ("apply", *flags, "--recount", "--whitespace=nowarn", "-")
    out = git.run(repo.root, *argv, input=diff.encode("utf-8"), timeout=GIT_TIMEOUT)
    return out.returncode, out.stdout.decode("utf-8", "replace"), out.stderr.decode("utf-8", "replace")


def repair_request(repo: Repo, diff: str, error: str, fence: str, redact: bool = True) -> str:
    """git's complaint and the current text around each hunk, fenced like the first request."""
    files = _hunk_context(repo, diff, redact) or "(none found)"
    return load("repair").render_user(
        error=wrap(error, fence, "git apply --check"), files=wrap(files, fence, "repository files")
    )


def _hunk_context(repo: Repo, diff: str, redact: bool = True) -> str:
    """Numbered current lines around each hunk of `diff`, per file, so the model can copy them."""
    out = []
    for section in re.split(r"(?=^--- )", diff, flags=re.M):
        path = _OLD_PATH.search(section)
        if not path or path[1] == "/dev/null":
            continue
        try:
            text = read_text(repo, repo.relative(path[1]), max_bytes=1 << 30)
        except (ScoutError, OSError):
            text = None
        if text is None:
            out.append(f"### {path[1]}\n(no such file in the repository)")
            continue
        lines = text.splitlines()
        for m in _HUNK.finditer(section):
            start, length = int(m[1]), int(m[2] or 1)
            lo, hi = max(1, start - REPAIR_CONTEXT), min(len(lines), start + length + REPAIR_CONTEXT)
            shown = redact_range(lines, lo, hi, path[1]).text.split("\n") if redact else lines[lo - 1 : hi]
            body = "\n".join(f"{n:>5}  {line}" for n, line in zip(range(lo, hi + 1), shown, strict=False))
            out.append(f"### {path[1]}:{lo}-{hi}\n{body}")
    return "\n\n".join(out)
