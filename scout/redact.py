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
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import import_module
from typing import Any

MARKER = "«redacted»"
MIN_ENTROPY_LEN = 20  # shorter quoted strings (hex colours, short hashes) are not treated as secrets
MIN_TOKEN_LEN = 24  # scout's own check: shorter unquoted tokens are left alone
CACHED_LINES = 1 << 15  # lines whose findings are remembered ...
CACHED_LINE_CHARS = 512  # ... when no longer than this: at most 16 MB, a few MB for code
SKIP_LONGER = 4000  # a line this long is minified or data, not code a person wrote: checked for
# its tokens only, the regex detectors would be slow on it

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
_ASSIGNMENT = re.compile(
    r"(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|auth[_-]?key|access[_-]?key|private[_-]?key|credentials?)"
    r"[\w.-]*['\"]?\s*(?:=|:=?|=>)\s*['\"]?([^\s'\"`,;()\[\]{}<>$%]{8,})(?=[\s'\"`,;]|$)",
    re.I,
)

# What wakes the detectors, checked on every line, so it must be cheap. A secret-sounding word
# (on the lowered line) wakes the keyword group; a run of 20+ token characters with a digit or a
# capital in it wakes the token group.
_KEYWORD_GATE = re.compile(r"pass|pwd|secret|token|credential|contrase|bearer|authoriz|://")
_KEY_NAME = re.compile(r"(?:api|auth|service|account|db|database|priv|private|client|access)[_-]?key")
_RUN = re.compile(r"[A-Za-z0-9+/=_\-]{20,}")
_DIGIT_OR_CAPITAL = re.compile(r"[0-9A-Z]")

_TOKEN = re.compile(rf"(?<![A-Za-z0-9+/_\-])[A-Za-z0-9+/_\-]{{{MIN_TOKEN_LEN},}}={{0,2}}(?![A-Za-z0-9+/_\-])")
_TOKEN_CHAR = re.compile(r"[A-Za-z0-9_\-]")
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
    return spans + list(detect(line, _file_type(path), len(line) <= SKIP_LONGER)), in_key


def clear_cache() -> None:
    """Forget every line's findings: benchmarks measure the cost of lines never seen before."""
    _detected.cache_clear()


def _file_type(path: str | None) -> str | None:
    """All the detectors know of a path: its extension (as a file name, for detect-secrets)."""
    return None if path is None else "file" + os.path.splitext(path)[1].lower()


@lru_cache(maxsize=CACHED_LINES)
def _detected(line: str, path: str | None, short: bool = True) -> tuple[Span, ...]:
    """The secrets in one line. Cached: tool output repeats lines (a grep match is read again,
    a snippet is a line of the text beside it), and most lines cost only the two gates."""
    spans: list[Span] = []
    if _names_a_secret(line.lower()):
        if short:
            spans += _library_spans(line, path, _keyword_plugins(line, path))
        spans += _pattern_spans(line, KEYWORD_PATTERNS) + _assignment_spans(line)
    if any(_DIGIT_OR_CAPITAL.search(run) for run in _RUN.findall(line)):
        if short:
            spans += _library_spans(line, path, _plugins("token"))
        spans += _pattern_spans(line, TOKEN_PATTERNS) + _random_token_spans(line)
    return tuple(spans)


def _keyword_plugins(line: str, path: str | None) -> tuple[Any, ...]:
    """The keyword group's plugins that can fire on `line`: the keyword detector wants a quoted
    value except in config formats (and is the slowest plugin by far), basic auth a URL."""
    keyword, basic_auth = _plugins("keyword")
    wanted = (keyword,) if _may_assign_secret(line, path) else ()
    return (*wanted, basic_auth) if "://" in line else wanted


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
    from detect_secrets.plugins.keyword import DENYLIST

    names = "|".join(DENYLIST)
    assign = re.compile(rf"(?:{names})\w*[\]'\"]{{0,2}}(?:\[\d*\])?\s*(?:[:=!]|\.assign)")
    compared = re.compile(rf"[!=]=\s*\w*(?:{names})")
    return assign, compared


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
    while True:
        if not in_key:
            begin = _KEY_BEGIN.search(line, pos)
            if begin is None:
                return spans, False
            pos, in_key = begin.end(), True
        end = _KEY_END.search(line, pos)
        stop = end.start() if end else len(line)
        masked = [(m.start(), m.end()) for m in re.finditer(MARKER, line)]
        body = [_unescaped(line, m) for m in _KEY_CHARS.finditer(line, pos, stop)]
        body = [(a, b) for a, b in body if a < b and not any(x <= a < y for x, y in masked)]
        if body:  # from its first base64 character to its last: indentation and quotes stay
            spans.append(((body[0][0], body[-1][1]), "private key"))
        if end is None:
            return spans, True
        pos, in_key = end.end(), False


def _unescaped(line: str, m: re.Match[str]) -> tuple[int, int]:
    """A base64 run without the `n` of a `\\n` escape in front of it."""
    a = m.start() + (m.start() > 0 and line[m.start() - 1] == "\\" and m.group()[0] == "n")
    return a, m.end()


def _library_spans(line: str, path: str | None, plugins: tuple[Any, ...]) -> list[Span]:
    spans: list[Span] = []
    for plugin in plugins:
        try:
            found = plugin.analyze_line(filename=path or "adhoc", line=line, line_number=0, context=None)
        except Exception:  # noqa: BLE001 - a detector's bug must not stop a query; the others still run
            continue
        for secret in found:
            value = _NAME_PREFIX.sub("", secret.secret_value or "")
            if value and not _filtered(value, line, plugin):
                spans += [(span, secret.type) for span in _occurrences(line, value)]
    return spans


def _filtered(value: str, line: str, plugin: Any) -> bool:
    """detect-secrets' own false-positive filters (templates, `$VARS`, UUIDs, ids, sequences), and
    a minimum length for the entropy detectors."""
    from detect_secrets.filters import heuristic
    from detect_secrets.plugins.base import RegexBasedDetector

    if (
        _placeholder(value)
        or heuristic.is_templated_secret(value)
        or heuristic.is_prefixed_with_dollar_sign(value)
    ):
        return True
    if heuristic.is_not_alphanumeric_string(value) or heuristic.is_sequential_string(value):
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


def _pattern_spans(line: str, patterns: tuple[tuple[str, re.Pattern[str]], ...]) -> list[Span]:
    spans: list[Span] = []
    for reason, pattern in patterns:
        for m in pattern.finditer(line):
            if not _placeholder(m[1]):
                spans.append(((m.start(1), m.end(1)), reason))
    return spans


def _assignment_spans(line: str) -> list[Span]:
    spans: list[Span] = []
    for m in _ASSIGNMENT.finditer(line):
        if credential_like(m[1]):
            spans.append(((m.start(1), m.end(1)), "secret assignment"))
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
        or _PLACEHOLDER.fullmatch(value) is not None
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


def _occurrences(line: str, value: str) -> list[tuple[int, int]]:
    out = []
    start = line.find(value)
    while start >= 0:
        out.append((start, start + len(value)))
        start = line.find(value, start + len(value))
    return out


def _mask(line: str, spans: list[Span]) -> str:
    """`line` with each span replaced by MARKER, grown to the whole token it sits in (a key
    block's ends are exact: its END marker may touch it)."""
    grown = sorted((a, b) if reason == "private key" else _grow(line, a, b) for (a, b), reason in spans)
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


def _grow(line: str, a: int, b: int) -> tuple[int, int]:
    """A detector may match a prefix of a token (Stripe's 24 characters of a longer key, a JWT
    without its signature): mask the token it belongs to, so no tail of it is left."""
    while a > 0 and _TOKEN_CHAR.match(line[a - 1]):
        a -= 1
    while b < len(line) and _TOKEN_CHAR.match(line[b]):
        b += 1
    return a, b


@cache
def _plugins(group: str) -> tuple[Any, ...]:
    """One group's detect-secrets plugins, made once; imported on first use, so that commands
    that never mask (`scout --help`, `scout index`) do not pay for it."""
    out = []
    for module, name, args in KEYWORD_PLUGINS if group == "keyword" else TOKEN_PLUGINS:
        cls = getattr(import_module(f"detect_secrets.plugins.{module}"), name)
        out.append(cls(**args))
    return tuple(out)
