"""Docstring sentences asked the way people ask them.

A docstring states what a definition does, in the imperative ("Return the hasher for an encoded
password."); people ask where or how something happens ("where do we get the hasher for an encoded
password"). A few templates over the sentence's leading verb turn one into the other, so the model
sees question-shaped queries without a language model writing them. The template is picked by a
hash of a key, so the data is reproducible and no single phrasing dominates.
"""

from __future__ import annotations

import hashlib
import re

GETTING = frozenset("return get fetch retrieve obtain give yield provide".split())
CHECKING = frozenset("check test determine detect tell verify decide see".split())
ASKS_WHETHER = re.compile(r"^(whether|if|that)\b\s*", re.I)
SAYS_WHETHER = re.compile(
    r"^(?:`*(?:true|false)`*|a bool(?:ean)?(?:\s+(?:indicating|saying|telling))?|whether)"
    r"(?:\s+(?:if|when|iff|whether))?\b\s*",
    re.I,
)
# Sentences that name a thing rather than an action: "A cart line with its price."
NOUN_START = frozenset(
    "a an the this these base abstract helper utility mixin wrapper class object interface".split()
)
PARTICIPLES = {
    "add": "added", "apply": "applied", "build": "built", "calculate": "calculated", "call": "called",
    "clear": "cleared", "close": "closed", "compare": "compared", "compute": "computed",
    "configure": "configured", "convert": "converted", "copy": "copied", "create": "created",
    "decode": "decoded", "delete": "deleted", "dispatch": "dispatched", "emit": "emitted",
    "encode": "encoded", "escape": "escaped", "execute": "executed", "extract": "extracted",
    "filter": "filtered", "find": "found", "format": "formatted", "generate": "generated",
    "handle": "handled", "initialize": "initialized", "initialise": "initialised", "load": "loaded",
    "make": "made", "merge": "merged", "normalize": "normalized", "normalise": "normalised",
    "open": "opened", "parse": "parsed", "print": "printed", "read": "read", "register": "registered",
    "remove": "removed", "render": "rendered", "reset": "reset", "resolve": "resolved", "run": "run",
    "save": "saved", "send": "sent", "serialize": "serialized", "set": "set", "sort": "sorted",
    "split": "split", "start": "started", "stop": "stopped", "store": "stored", "update": "updated",
    "validate": "validated", "wrap": "wrapped", "write": "written",
}  # fmt: skip
# Sphinx roles, code spans and emphasis (":class:`.Signer`", "*iterable*") are markup, not words a
# user types.
MARKUP = re.compile(r":[\w:.-]+:`[~!.]*([^`]*)`|`+([^`]*)`+|\*{1,2}([^*\s][^*]*?)\*{1,2}")
BASE_VERBS_IN_ED = frozenset("need embed feed seed speed shed bleed proceed exceed succeed".split())
# "how is X parsed" reads well for "the header line", badly for "the salt out of a string".
PREPOSITIONS = frozenset("of for from to in into with on by at out against between as about".split())


def base_verb(word: str) -> str:
    """'Returns' → 'return', 'Applies' → 'apply', 'Checks' → 'check'; other words lowercased."""
    w = word.lower()
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "shes", "ches", "xes", "zes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        return w[:-1]
    return w


def as_question(sentence: str, key: str) -> str | None:
    """The sentence asked as a plain-words question, or None when there is nothing to ask."""
    words = MARKUP.sub(lambda m: m[1] or m[2] or m[3] or "", sentence).strip().rstrip(".!?:;, ").split()
    if words and words[0].lower() == "to":  # "To detect whether ..." reads as "Detect whether ..."
        words = words[1:]
    if len(words) < 2:
        return None
    first, rest = words[0], " ".join(words[1:])
    if first.lower() in NOUN_START:
        return _pick(key, [f"where is the code for {_lower_first(' '.join(words))}"])
    if first.lower().endswith("ed") and len(first) > 4 and first.lower() not in BASE_VERBS_IN_ED:
        return f"which code is {first.lower()} {rest}"  # "Raised if a payload is invalid."
    verb = base_verb(first)
    if verb in GETTING and (m := SAYS_WHETHER.match(rest)) and rest[m.end() :]:
        return _pick(key, _whether(rest[m.end() :]))
    if verb in CHECKING and (m := ASKS_WHETHER.match(rest)) and rest[m.end() :]:
        return _pick(key, _whether(rest[m.end() :]))
    if verb in GETTING:
        return _pick(key, [f"where do we get {rest}", f"how is {rest} found", f"where is {rest} returned"])
    if verb in PARTICIPLES:
        done = PARTICIPLES[verb]
        if not PREPOSITIONS & set(rest.lower().split()):
            options = [f"how is {rest} {done}", f"where is {rest} {done}", f"where do we {verb} {rest}"]
            return _pick(key, options)
        return _pick(key, [f"where do we {verb} {rest}", f"how does the code {verb} {rest}"])
    return f"where does the code {verb} {rest}"


def _whether(clause: str) -> list[str]:
    return [f"where is it checked whether {clause}", f"how does the code decide whether {clause}"]


def _lower_first(text: str) -> str:
    first, _, rest = text.partition(" ")
    return f"{first.lower() if not first.isupper() or len(first) == 1 else first} {rest}".strip()


def _pick(key: str, options: list[str]) -> str:
    return options[int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % len(options)]
