"""Token counting for budgets: `scout-tokens/1`, a small offline approximation of LLM BPE tokenizers.

No tokenizer file is downloaded at run time, so scout counts with a fixed documented rule (see
docs/bundle.md): a run of letters costs ceil(len/4) tokens, a run of digits ceil(len/3), each
other visible character 1, a whitespace run containing a newline 1, other whitespace 0 (BPE
tokenizers fold a single space into the following word). On code this tends to over-count
slightly, which is the safe side for a budget.
"""

from __future__ import annotations

import re

TOKENIZER = "scout-tokens/1"
_PIECE = re.compile(r"[A-Za-z]+|[0-9]+|\s+|[^\sA-Za-z0-9]")


def count_tokens(text: str) -> int:
    total = 0
    for piece in _PIECE.findall(text):
        first = piece[0]
        if first.isalpha() and first.isascii():
            total += -(-len(piece) // 4)
        elif first.isdigit() and first.isascii():
            total += -(-len(piece) // 3)
        elif first.isspace():
            total += 1 if "\n" in piece else 0
        else:
            total += 1
    return total


def line_prefix(text: str, budget: int) -> tuple[str, bool]:
    """The longest prefix of whole lines within `budget` tokens, and whether anything was cut."""
    if count_tokens(text) <= budget:
        return text, False
    kept, used = [], 0
    for line in text.splitlines():
        cost = count_tokens(line) + 1
        if used + cost > budget:
            break
        kept.append(line)
        used += cost
    return "\n".join(kept), True
