"""Secrets in text, found and masked before any line leaves scout (docs/security.md).

Every stage may call this: cited lines are masked where they enter a bundle
(`explorer.loop.make_bundle`), tool output where every tool is called (`tools.call_tool`), and the
orchestrator masks the file text and issue it sends to a model. Only the secret's value is replaced
(by `MARKER`), never the line, so line counts and numbering stay true.

Detection is Yelp's detect-secrets, called through its plugins on in-memory lines (no files, no
baseline, no verification, so no network), plus what it lacks: token formats it does not know
(GitHub fine-grained PATs, Stripe test keys, Google API keys, ...), private-key blocks masked
whole (the library flags only the `BEGIN` line), and long random-looking tokens outside quotes.

Most code has nothing to find, so a line is only handed to the detectors when a cheap check says
one could fire on it: a secret-sounding word (or a URL) for the keyword group, a run of 20+ token
characters with a digit or a capital in it for the token group, a private-key marker for the block.

A repository's text is hostile input, so masking takes time linear in it (docs/security.md): scout's
own patterns try each name or token once, and detect-secrets, whose patterns backtrack, reads a line
a window at a time (LIBRARY_WINDOW), its runs of blanks cut short; a window naming more than
LIBRARY_KEYWORDS secrets has the values assigned to those names masked by scout's own linear
equivalent of the keyword detector instead.
"""

from __future__ import annotations

import bisect
import math
import os
import re
import sys
import threading
import types
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import import_module
from typing import Any

MARKER = "«redacted»"
MIN_ENTROPY_LEN = 20  # shorter quoted strings (hex colours, short hashes) are not treated as secrets
MIN_TOKEN_LEN = 24  # scout's own check: shorter unquoted tokens are left alone
CACHED_LINES = 1 << 15  # lines whose findings are remembered ...
CACHED_LINE_CHARS = 512  # ... when no longer than this: at most 16 MB, a few MB for code
# detect-secrets' patterns backtrack (some cubically, on a run of blanks), so it reads a line in
# windows of this many characters, overlapping by half: a secret and its name within half a window
# of each other are seen whole ...
LIBRARY_WINDOW = 256
LIBRARY_BLANKS = 4  # ... with each run of blanks cut to this many ...
LIBRARY_KEYWORDS = 4  # ... and its keyword detector only a window naming at most this many secrets
# (each costs it a pass over the window); a denser one has its assigned values masked by scout.
LINE_SEARCHES = 64  # values found that are masked wherever they recur in the line; any further
# one (a line of data full of them) where it was found, so that no line costs its length squared
PLACEHOLDER_CHARS = 100  # a longer value is not a placeholder (the check backtracks on long ones)

# detect-secrets plugins, (module, class, arguments), in two groups by what wakes them up.
# Left out: the public-IP detector (an address is not a secret) and the private-key detector,
# which flags only the BEGIN line: `_private_key_spans` masks the whole block instead.
KEYWORD_PLUGINS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("keyword", "KeywordDetector", {}),
    ("basic_auth", "BasicAuthDetector", {}),
)
TOKEN_PLUGINS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("artifactory", "ArtifactoryDetector", {}),
    ("aws", "AWSKeyDetector", {}),
    ("azure_storage_key", "AzureStorageKeyDetector", {}),
    ("cloudant", "CloudantDetector", {}),
    ("discord", "DiscordBotTokenDetector", {}),
    ("github_token", "GitHubTokenDetector", {}),
    ("gitlab_token", "GitLabTokenDetector", {}),
    ("high_entropy_strings", "Base64HighEntropyString", {"limit": 4.5}),
    ("high_entropy_strings", "HexHighEntropyString", {"limit": 3.0}),
    ("ibm_cloud_iam", "IbmCloudIamDetector", {}),
    ("ibm_cos_hmac", "IbmCosHmacDetector", {}),
    ("jwt", "JwtTokenDetector", {}),
    ("mailchimp", "MailchimpDetector", {}),
    ("npm", "NpmDetector", {}),
    ("openai", "OpenAIDetector", {}),
    ("pypi_token", "PypiTokenDetector", {}),
    ("sendgrid", "SendGridDetector", {}),
    ("slack", "SlackDetector", {}),
    ("softlayer", "SoftlayerDetector", {}),
    ("square_oauth", "SquareOAuthDetector", {}),
    ("stripe", "StripeDetector", {}),
    ("telegram_token", "TelegramBotTokenDetector", {}),
    ("twilio", "TwilioKeyDetector", {}),
)

# Formats detect-secrets does not know, or knows only in one context; the group is the secret.
TOKEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("GitHub fine-grained token", re.compile(r"\b(github_pat_[A-Za-z0-9_]{22,})")),
    ("GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{30,})")),
    ("Stripe key", re.compile(r"\b((?:sk|rk)_(?:test|live)_[0-9A-Za-z]{16,})")),
    ("Google API key", re.compile(r"\b(AIza[0-9A-Za-z_\-]{35})")),
    ("Mailgun key", re.compile(r"\b(key-[0-9a-f]{32})\b")),
    ("npm token", re.compile(r"\b(npm_[A-Za-z0-9]{36})\b")),
    ("Slack token", re.compile(r"\b(xox[abposre]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{20,})")),
    ("Square token", re.compile(r"\b((?:sq0atp|sq0csp|EAAA)[A-Za-z0-9_\-]{22,})")),
    ("SendGrid key", re.compile(r"\b(SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,})")),
    ("Twilio key", re.compile(r"\b((?:SK|AC)[0-9a-fA-F]{32})\b")),
    ("Discord webhook", re.compile(r"discord(?:app)?\.com/api/webhooks/\d+/([A-Za-z0-9_\-]{30,})")),
    (
        "OpenSSH private key",
        re.compile(r"(b3BlbnNzaC1rZXktdjE[A-Za-z0-9+/]{20,}={0,2})"),
    ),  # its base64 header
    ("Azure storage key", re.compile(r"(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{30,}={0,2})", re.I)),
)
KEYWORD_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("URL credentials", re.compile(r"://[^\s/:@'\"]+:([^\s/@'\"]{3,})@")),
    ("bearer token", re.compile(r"(?:bearer|authorization:\s*(?:basic|token))\s+([\w\-.+/=]{20,})", re.I)),
)

# Where detect-secrets' keyword detector reads values without quotes (its config and Go rules).
UNQUOTED_VALUES = (
    ".yaml",
    ".yml",
    ".eyaml",
    ".cnf",
    ".conf",
    ".cfg",
    ".cf",
    ".ini",
    ".properties",
    ".toml",
    ".go",
)
CPP = (".cpp", ".cc", ".cxx", ".hpp", ".h")
_QUOTE = re.compile("['\"`]")

# `NAME = value` / `NAME: value` without quotes (.env, YAML, properties, shell) where NAME sounds
# secret: detect-secrets reads these only when it knows the file type, and never for `*_TOKEN`.
# Tried once per name (a run of name characters, the secret word anywhere in it: every word of a
# run ends at the same place, so trying each made "token" * 6,400 take 2.8 s); what may follow the
# value is checked by `_assignment_spans`, which then skips the value (see there).
_ASSIGNMENT = re.compile(
    r"(?<![\w.-])(?>[\w.-]*?(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|auth[_-]?key|access[_-]?key"
    r"|private[_-]?key|credentials?))[\w.-]*+['\"]?\s*+(?:=|:=?|=>)\s*+['\"]?([^\s'\"`,;()\[\]{}<>$%]{8,}+)",
    re.I,
)
_VALUE_END = frozenset("'\"`,;")  # what may follow an assigned value, besides blanks
_NAME_CHAR = re.compile(r"[\w.-]")
_LONG_BLANKS = re.compile(rf"\s{{{LIBRARY_BLANKS + 1},}}")
Choose = Callable[[str, "str | None", bool], tuple[tuple[Any, ...], bool]]

# What wakes the detectors, checked on every line, so it must be cheap. A secret-sounding word
# (on the lowered line) wakes the keyword group; a run of 20+ token characters with a digit or a
# capital in it wakes the token group.
_KEYWORD_GATE = re.compile(r"pass|pwd|secret|token|credential|contrase|bearer|authoriz|://")
_KEY_NAME = re.compile(r"(?:api|auth|service|account|db|database|priv|private|client|access)[_-]?key")
_RUN = re.compile(r"[A-Za-z0-9+/=_\-]{20,}")
_DIGIT_OR_CAPITAL = re.compile(r"[0-9A-Z]")

_TOKEN = re.compile(rf"(?<![A-Za-z0-9+/_\-])[A-Za-z0-9+/_\-]{{{MIN_TOKEN_LEN},}}={{0,2}}(?![A-Za-z0-9+/_\-])")
_TOKEN_RUN = re.compile(r"[A-Za-z0-9_\-]+")
_HEX = re.compile(r"[0-9a-fA-F]+")
_WORDY = re.compile(r"[a-z]{4,}|[A-Z][a-z]{3,}|[A-Z]{5,}")
_WORD_SEGMENT = re.compile(r"[a-z]{3,}|[A-Z][a-z]{2,}|\.?[a-z]+\.[a-z]+")
_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_NAME_PREFIX = re.compile(r"^[A-Za-z]+=")  # detect-secrets' Azure value starts with `AccountKey=`
# A value that names the secret instead of being one: `password1`, `usable_password`, `<token>`.
_PLACEHOLDER = re.compile(
    r"(?:[a-z]+[_\-])*(?:password|passwd|pass|pwd|secret|token|key|changeme|example|dummy|placeholder"
    r"|redacted|x{3,}|\*{3,}|\.{3,})(?:[_\-][a-z]+)*\d?",
    re.I,
)
_KEY_BEGIN = re.compile(r"-{4,5} ?BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)? ?-{4,5}|PuTTY-User-Key-File-\d")
_KEY_END = re.compile(r"-{4,5} ?END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)? ?-{4,5}|Private-MAC:")
_KEY_CHARS = re.compile(r"[A-Za-z0-9+/=]+")


@dataclass
class Redaction:
    """Masked text, how many of its lines had a secret, and what was found (reason → count)."""

    text: str
    lines: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


def redact(text: str, path: str | None = None, inside_key: bool = False) -> Redaction:
    """`text` with every secret's value replaced by MARKER; the lines stay where they were.

    `path` picks detect-secrets' rules for the file type (YAML and INI values need no quotes);
    `inside_key` says that the text starts within a private-key block."""
    if not text:
        return Redaction(text)
    lines = text.split("\n")
    out = Redaction(text)
    in_key = inside_key
    for i, line in enumerate(lines):
        spans, in_key = _line_spans(line, path, in_key)
        if spans:
            lines[i] = _mask(line, spans)
            out.lines += 1
            out.reasons.update({reason for _, reason in spans})
    if out.lines:
        out.text = "\n".join(lines)
    return out


def redact_range(lines: list[str], start: int, end: int, path: str | None = None) -> Redaction:
    """Lines `start`..`end` (1-based, inclusive) of a file's `lines`, masked: a cited range can
    start inside a private-key block, below the `BEGIN` line that gives it away."""
    return redact("\n".join(lines[start - 1 : end]), path, inside_private_key(lines, start - 1))


def inside_private_key(lines: list[str], before: int) -> bool:
    """Whether `lines[before]` lies within a private-key block that opened above it."""
    head = "\n".join(lines[:before])  # one join and two searches: most files hold no key
    if "PRIVATE KEY" not in head and "PuTTY" not in head:
        return False
    ends = [m.start() for m in _KEY_END.finditer(head)]
    begins = [m.start() for m in _KEY_BEGIN.finditer(head)]
    return bool(begins) and (not ends or begins[-1] > ends[-1])


def secrets_in(line: str, path: str | None = None) -> list[tuple[str, str]]:
    """(value, reason) for each secret in one line: what `redact` masks, for tests and benchmarks."""
    spans, _ = _line_spans(line, path, False)
    return [(line[a:b], reason) for (a, b), reason in spans]


Span = tuple[tuple[int, int], str]


def _line_spans(line: str, path: str | None, in_key: bool) -> tuple[list[Span], bool]:
    """The character ranges of `line` to mask, with their reasons, and whether a key block is open
    after it."""
    spans: list[Span] = []
    if in_key or "-----" in line or "PuTTY" in line:
        key_spans, in_key = _private_key_spans(line, in_key)
        spans += key_spans
    detect = _detected if len(line) <= CACHED_LINE_CHARS else _detected.__wrapped__
    return spans + list(detect(line, _file_type(path))), in_key


def clear_cache() -> None:
    """Forget every line's findings: benchmarks measure the cost of lines never seen before."""
    _detected.cache_clear()


@lru_cache(maxsize=64)  # asked once per line of the same file
def _file_type(path: str | None) -> str | None:
    """All the detectors know of a path: its extension (as a file name, for detect-secrets)."""
    return None if path is None else "file" + os.path.splitext(path)[1].lower()


@lru_cache(maxsize=CACHED_LINES)
def _detected(line: str, path: str | None) -> tuple[Span, ...]:
    """The secrets in one line. Cached: tool output repeats lines (a grep match is read again,
    a snippet is a line of the text beside it), and most lines cost only the two gates."""
    spans: list[Span] = []
    if _names_a_secret(line.lower()):
        found, dense = _library_spans(line, path, _keyword_plugins)
        spans += found
        if dense:
            spans += _keyword_value_spans(line, path)
        spans += _pattern_spans(line, KEYWORD_PATTERNS) + _assignment_spans(line)
    if _wakes_token_group(line):
        spans += _library_spans(line, path, _token_plugins)[0]
        spans += _pattern_spans(line, TOKEN_PATTERNS) + _random_token_spans(line)
    return tuple(dict.fromkeys(spans))


def _wakes_token_group(text: str) -> bool:
    return any(_DIGIT_OR_CAPITAL.search(run) for run in _RUN.findall(text))


def _keyword_plugins(window: str, path: str | None, whole: bool) -> tuple[tuple[Any, ...], bool]:
    """The keyword group's plugins that can fire on `window` (`whole`: the line, which woke them),
    and whether it names too many secrets for the keyword detector: it wants a quoted value except
    in config formats (and is the slowest plugin by far), basic auth a URL."""
    if not whole and not _names_a_secret(window.lower()):
        return (), False
    keyword, basic_auth = _plugins("keyword")
    dense = len(_denylisted().findall(window)) > LIBRARY_KEYWORDS
    wanted = (keyword,) if not dense and _may_assign_secret(window, path) else ()
    return ((*wanted, basic_auth) if "://" in window else wanted), dense


def _token_plugins(window: str, path: str | None, whole: bool) -> tuple[tuple[Any, ...], bool]:
    return (_plugins("token") if whole or _wakes_token_group(window) else ()), False


def _may_assign_secret(line: str, path: str | None) -> bool:
    """Whether the keyword detector could match: a denylisted name followed by an assignment or
    comparison (or a call, for C++), a comparison before one, or a `;`-terminated literal; and a
    quoted value unless the format takes bare ones. One regex instead of its five."""
    unquoted = _unquoted_values(path)
    if not unquoted and not _QUOTE.search(line):
        return False
    assign, compared = _keyword_shapes()
    lowered = line.lower()
    cpp = path is not None and path.lower().endswith(CPP)
    return bool(assign.search(lowered) or compared.search(lowered) or ";" in line or (cpp and "(" in line))


@cache
def _keyword_shapes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    _library()
    from detect_secrets.plugins.keyword import DENYLIST

    names = "|".join(DENYLIST)
    # Tried once per word (the first secret name in it), not at every name in a run of them.
    assign = re.compile(rf"(?<!\w)(?>\w*?(?:{names}))\w*+[\]'\"]{{0,2}}(?:\[\d*\])?\s*+(?:[:=!]|\.assign)")
    compared = re.compile(rf"[!=]=\s*+\w*(?:{names})")
    return assign, compared


@cache
def _denylisted() -> re.Pattern[str]:
    """The names detect-secrets' keyword detector looks for, as it spells them."""
    _library()
    from detect_secrets.plugins.keyword import DENYLIST

    return re.compile("|".join(DENYLIST), re.I)


@cache
def _keyword_values() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A value assigned to, or compared with, a name the keyword detector looks for: what it
    finds, for the windows it is not shown. Quoted (the match ends before the value, so that a name
    inside a value is tried too), or bare, for a format that takes bare values. Linear: tried once
    per word, and each quoted value read once, up to its closing quote."""
    _library()
    from detect_secrets.plugins.keyword import DENYLIST

    names = "|".join(DENYLIST)
    name = rf"(?<!\w)(?>\w*?(?:{names}))\w*+[\]'\"]{{0,2}}(?:\[\d*\])?\s*+(?:[:=!]=?=?>?|\.assign\(|\()\s*+@?"
    quoted = r"\"([^\"\n]*+)\"|'([^'\n]*+)'|`([^`\n]*+)`"
    return (
        re.compile(rf"{name}(?=(?:{quoted}))|(?:{quoted})\s*+[!=]{{2,3}}\s*+\w*?(?:{names})", re.I),
        re.compile(rf"{name}([^\s'\"`,;]++)", re.I),
    )


def _keyword_value_spans(line: str, path: str | None) -> list[Span]:
    """The values `_keyword_values` finds, but placeholders and templates."""
    quoted, bare = _keyword_values()
    found = list(quoted.finditer(line)) + (list(bare.finditer(line)) if _unquoted_values(path) else [])
    spans: list[Span] = []
    for m in found:
        group = next(g for g in range(1, (m.lastindex or 0) + 1) if m[g] is not None)
        if not _value_filtered(m[group]):
            spans.append(((m.start(group), m.end(group)), "Secret Keyword"))
    return spans


def _unquoted_values(path: str | None) -> bool:
    return path is not None and path.lower().endswith(UNQUOTED_VALUES)


def _names_a_secret(lowered: str) -> bool:
    # Two searches: one alternation of plain words is fast; `*_key` is only tried where "key" is.
    return bool(_KEYWORD_GATE.search(lowered) or ("key" in lowered and _KEY_NAME.search(lowered)))


def _private_key_spans(line: str, in_key: bool) -> tuple[list[Span], bool]:
    """A private key's body: everything between its BEGIN and END markers, also when the whole
    block sits on one line with `\\n` escapes (JSON, .env)."""
    spans: list[Span] = []
    pos = 0
    masked = [m.start() for m in re.finditer(MARKER, line)]  # once: a line may hold many blocks
    while True:
        if not in_key:
            begin = _KEY_BEGIN.search(line, pos)
            if begin is None:
                return spans, False
            pos, in_key = begin.end(), True
        end = _KEY_END.search(line, pos)
        stop = end.start() if end else len(line)
        body = [_unescaped(line, m) for m in _KEY_CHARS.finditer(line, pos, stop)]
        body = [(a, b) for a, b in body if a < b and not _in_marker(masked, a)]
        if body:  # from its first base64 character to its last: indentation and quotes stay
            spans.append(((body[0][0], body[-1][1]), "private key"))
        if end is None:
            return spans, True
        pos, in_key = end.end(), False


def _in_marker(starts: list[int], at: int) -> bool:
    """Whether position `at` lies inside one of the MARKERs that start at `starts` (sorted)."""
    i = bisect.bisect_right(starts, at) - 1
    return i >= 0 and at < starts[i] + len(MARKER)


def _unescaped(line: str, m: re.Match[str]) -> tuple[int, int]:
    """A base64 run without the `n` of a `\\n` escape in front of it."""
    a = m.start() + (m.start() > 0 and line[m.start() - 1] == "\\" and m.group()[0] == "n")
    return a, m.end()


def _library_spans(line: str, path: str | None, choose: Choose) -> tuple[list[Span], bool]:
    """What detect-secrets' plugins (those `choose` picks for each window) find in `line`, read a
    window at a time with its runs of blanks cut short; and whether a window named more secrets
    than the keyword detector is shown. Every occurrence of a value found is masked."""
    text, origin = _blanks_cut(line)
    found: dict[tuple[str, str], int] = {}  # (value, reason) → where the window it was found in starts
    dense = False
    step = LIBRARY_WINDOW // 2
    whole = len(text) <= LIBRARY_WINDOW  # one window: the line, whose gates are passed
    for at in range(0, max(len(text) - step, 1), step):
        window = text[at : at + LIBRARY_WINDOW]
        plugins, crowded = choose(window, path, whole)
        dense = dense or crowded
        for plugin in plugins:
            for value in _plugin_values(plugin, window, path):
                found.setdefault(value, at)
    spans: list[Span] = []
    for i, ((value, reason), at) in enumerate(found.items()):
        where = (0, len(text)) if i < LINE_SEARCHES else (at, at + LIBRARY_WINDOW)
        spans += [(_original(origin, a, b), reason) for a, b in _occurrences(text, value, *where)]
    return spans, dense


def _plugin_values(plugin: Any, window: str, path: str | None) -> list[tuple[str, str]]:
    try:
        found = plugin.analyze_line(filename=path or "adhoc", line=window, line_number=0, context=None)
    except Exception:  # noqa: BLE001 - a detector's bug must not stop a query; the others still run
        return []
    values = [(_NAME_PREFIX.sub("", secret.secret_value or ""), secret.type) for secret in found]
    return [(value, reason) for value, reason in values if value and not _filtered(value, window, plugin)]


def _blanks_cut(line: str) -> tuple[str, list[int] | None]:
    """`line` with each run of blanks cut to LIBRARY_BLANKS (alignment padding, not secrets), and
    where each of its characters was in `line` (None when nothing was cut)."""
    if _LONG_BLANKS.search(line) is None:
        return line, None
    parts, origin, last = [], [], 0
    for m in _LONG_BLANKS.finditer(line):
        keep = m.start() + LIBRARY_BLANKS
        parts.append(line[last:keep])
        origin += range(last, keep)
        last = m.end()
    parts.append(line[last:])
    origin += range(last, len(line) + 1)
    return "".join(parts), origin


def _original(origin: list[int] | None, a: int, b: int) -> tuple[int, int]:
    """A span of the cut text as a span of the line (a cut run of blanks inside it, whole)."""
    return (a, b) if origin is None else (origin[a], origin[b - 1] + 1)


def _filtered(value: str, line: str, plugin: Any) -> bool:
    """detect-secrets' own false-positive filters (templates, `$VARS`, UUIDs, ids, sequences), and
    a minimum length for the entropy detectors."""
    _library()
    from detect_secrets.filters import heuristic
    from detect_secrets.plugins.base import RegexBasedDetector

    if _value_filtered(value):
        return True
    if isinstance(plugin, RegexBasedDetector):
        return False
    if plugin.secret_type.endswith("High Entropy String") and len(value) < MIN_ENTROPY_LEN:
        return True
    return (
        heuristic.is_potential_uuid(value)
        or heuristic.is_likely_id_string(value, line, plugin)
        or heuristic.is_indirect_reference(line)
    )


def _value_filtered(value: str) -> bool:
    """The filters that read the value alone: a placeholder, a template, a `$VAR`, no letters or
    digits, a run of the alphabet."""
    _library()
    from detect_secrets.filters import heuristic

    return (
        _placeholder(value)
        or heuristic.is_templated_secret(value)
        or heuristic.is_prefixed_with_dollar_sign(value)
        or heuristic.is_not_alphanumeric_string(value)
        or heuristic.is_sequential_string(value)
    )


def _pattern_spans(line: str, patterns: tuple[tuple[str, re.Pattern[str]], ...]) -> list[Span]:
    spans: list[Span] = []
    for reason, pattern in patterns:
        for m in pattern.finditer(line):
            if not _placeholder(m[1]):
                spans.append(((m.start(1), m.end(1)), reason))
    return spans


def _assignment_spans(line: str) -> list[Span]:
    """Unquoted values assigned to secret-sounding names, in one pass: each search resumes where
    the value it found ends, because every assignment that starts inside a value ends where it
    does (a value is a run of value characters), and so fails or stops as it did."""
    spans: list[Span] = []
    pos = 0
    while (m := _ASSIGNMENT.search(line, pos)) is not None:
        end = pos = m.end(1)
        if end == len(line) or line[end].isspace() or line[end] in _VALUE_END:
            if credential_like(m[1]):
                spans.append(((m.start(1), end), "secret assignment"))
        elif line.startswith("=>", end - 1):  # `name=>value`: that name ends inside this value
            pos = end - 1
            while pos > 0 and _NAME_CHAR.match(line, pos - 1):
                pos -= 1
    return spans


def credential_like(value: str) -> bool:
    """A value assigned to a secret-sounding name that reads as a credential, not as code:
    letters and digits mixed, not a dotted name (`settings.SECRET_KEY`), not mostly words."""
    if _placeholder(value) or _DOTTED_NAME.fullmatch(value) or value.startswith(("http:", "https:", "/")):
        return False
    if _HEX.fullmatch(value):
        return len(value) >= 16 and not value.isdigit()
    has_digit = any(c.isdigit() for c in value)
    has_letter = any(c.isalpha() for c in value)
    wordy = sum(len(w) for w in _WORDY.findall(value)) / len(value)
    return has_digit and has_letter and wordy < 0.5


def _placeholder(value: str) -> bool:
    """`sk_test_XXXXXXXX…`, `<token>`, `password1`: an example in documentation, not a secret."""
    core = re.sub(r"^[a-z]+[_-](?:[a-z]+_)?", "", value)
    return (
        len(set(core.lower())) <= 3
        or value.startswith(("<", "$", "{"))
        or (len(value) <= PLACEHOLDER_CHARS and _PLACEHOLDER.fullmatch(value) is not None)
    )


def _random_token_spans(line: str) -> list[Span]:
    spans: list[Span] = []
    for m in _TOKEN.finditer(line):
        token = m.group()
        if "/" in token and any(_WORD_SEGMENT.fullmatch(s) for s in token.split("/")):
            pieces, at = [], m.start()
            for segment in token.split("/"):  # a path or URL: judge its parts, not the whole
                pieces.append((at, segment))
                at += len(segment) + 1
        else:
            pieces = [(m.start(), token)]
        for at, piece in pieces:
            if looks_random(piece):
                spans.append(((at, at + len(piece)), "high-entropy token"))
    return spans


def looks_random(token: str) -> bool:
    """A long token that reads as random characters, not as words: mixed character classes,
    high entropy, few word-like runs. Hex is left to detect-secrets' quoted-string check: commit
    hashes and digests fill code and are not secrets."""
    core = token.rstrip("=")
    if len(core) < MIN_TOKEN_LEN or _HEX.fullmatch(core):
        return False
    classes = any(c.islower() for c in core) + any(c.isupper() for c in core) + any(c.isdigit() for c in core)
    if classes < 2:
        return False
    wordy = sum(len(w) for w in _WORDY.findall(core)) / len(core)
    return wordy < 0.3 and shannon(core) >= min(4.3, math.log2(len(core)) - 0.7)


def shannon(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _occurrences(line: str, value: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    out = []
    at = line.find(value, start, end)
    while at >= 0:
        out.append((at, at + len(value)))
        at = line.find(value, at + len(value), end)
    return out


def _mask(line: str, spans: list[Span]) -> str:
    """`line` with each span replaced by MARKER, grown to the whole token it sits in (a key
    block's ends are exact: its END marker may touch it)."""
    runs = [m.span() for m in _TOKEN_RUN.finditer(line)]
    grown = sorted(span if reason == "private key" else _grow(runs, *span) for span, reason in spans)
    merged: list[list[int]] = []
    for a, b in grown:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    parts, last = [], 0
    for a, b in merged:
        parts += [line[last:a], MARKER]
        last = b
    parts.append(line[last:])
    return "".join(parts)


def _grow(runs: list[tuple[int, int]], a: int, b: int) -> tuple[int, int]:
    """A detector may match a prefix of a token (Stripe's 24 characters of a longer key, a JWT
    without its signature): mask the token it belongs to, so no tail of it is left. The line's
    token runs are found once: growing each span character by character made many spans in one
    long token quadratic."""
    before, after = _run_at(runs, a - 1), _run_at(runs, b)
    return (before[0] if before else a), (after[1] if after else b)


def _run_at(runs: list[tuple[int, int]], at: int) -> tuple[int, int] | None:
    """The run in `runs` (sorted, apart) that holds position `at`, if any."""
    i = bisect.bisect_right(runs, at, key=lambda run: run[0]) - 1
    return runs[i] if i >= 0 and at < runs[i][1] else None


@cache
def _plugins(group: str) -> tuple[Any, ...]:
    """One group's detect-secrets plugins, made once; imported on first use, so that commands
    that never mask (`scout --help`, `scout index`) do not pay for it."""
    _library()
    out = []
    for module, name, args in KEYWORD_PLUGINS if group == "keyword" else TOKEN_PLUGINS:
        cls = getattr(import_module(f"detect_secrets.plugins.{module}"), name)
        out.append(cls(**args))
    return tuple(out)


_IMPORTING = threading.Lock()


class _NoVerification(types.ModuleType):
    """What detect-secrets' modules get as `requests` while scout imports them. scout never
    verifies a secret (that would send it over the network), so they never call it; importing the
    real one (and urllib3 with it) cost each `scout ask` ~110 ms. Only `Response` is read at
    import time, in annotations."""

    Response = object

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"scout does not verify secrets over the network (requests.{name})")


@cache
def _library() -> None:
    """Import the detect-secrets modules scout uses, once, with `requests` stood in for unless
    something already imported it. The stand-in leaves `sys.modules` afterwards: anything else
    that imports requests gets the real one."""
    with _IMPORTING:
        stand_in = "requests" not in sys.modules
        if stand_in:
            sys.modules["requests"] = _NoVerification("requests")
        try:
            for module in dict.fromkeys(m for m, _, _ in KEYWORD_PLUGINS + TOKEN_PLUGINS):
                import_module(f"detect_secrets.plugins.{module}")
            import_module("detect_secrets.filters.heuristic")
        finally:
            if stand_in:
                del sys.modules["requests"]
