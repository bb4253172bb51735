"""Untrusted text in a prompt, fenced and labelled.

Issue text, repository files, tool output and CI logs are written by whoever wrote them, and a
model reads instructions wherever they appear ("ignore the above and ..."). Each such text goes
into a prompt as `<untrusted-TAG source="...">` ... `</untrusted-TAG>`, where TAG is 16 random hex
digits drawn afresh for each conversation (one exploration, one plan, one patch with its repairs),
and the system prompt says that what is inside is data, never instructions. Whoever wrote the text
could not know TAG, so cannot close the fence early and speak outside it; a copy of the tag inside
the text is defused all the same.

The reply cache keys requests with every tag replaced by one placeholder (`canonical`): the same
request asked again is the same request, whatever tag it drew.
"""

from __future__ import annotations

import re
import secrets

PREFIX = "untrusted-"
_TAG = re.compile(r"untrusted-[0-9a-f]{16}")
_SOURCE = re.compile(r"[^\w .:/-]")


def new_tag() -> str:
    """A fresh, unguessable fence name for one conversation."""
    return PREFIX + secrets.token_hex(8)


def wrap(text: str, tag: str, source: str) -> str:
    """`text` inside the fence `tag`, labelled with where it came from."""
    text = text.replace(tag, PREFIX + "forged")
    label = _SOURCE.sub("", source)[:80]
    return f'<{tag} source="{label}">\n{text}\n</{tag}>'


def canonical(text: str) -> str:
    """`text` with every fence name replaced by one placeholder: for cache keys."""
    return _TAG.sub(PREFIX + "0" * 16, text)
