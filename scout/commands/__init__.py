"""The `scout` commands as people think of them, and where each one's code lives.

`COMMANDS` is the one list: `scout --help` prints it by section from this table alone, and a
command's module (`scout/commands/<module>.py`, whose `app` holds it) is imported only when that
command runs or shows its own help, so `scout --version` and `scout --help` load no index, model
or parser. The daily verbs sit at the top; the read-only tools are one group (`scout tools grep`),
mining and training another (`scout learn train`).

`RENAMED` keeps the previous release's spellings working for one more release: `scout grep` runs
`scout tools grep` after a one-line notice on stderr (never stdout, which `--json` keeps clean).
"""

from __future__ import annotations

from dataclasses import dataclass

TOOLS_GROUP = "tools"
LEARN_GROUP = "learn"


@dataclass(frozen=True)
class Command:
    name: str
    module: str  # scout.commands.<module>: its `app` holds the command, or is the group itself
    summary: str  # the line `scout --help` shows for it
    section: str
    group: bool = False  # a group of subcommands (`scout cache list`)


USER, CI, GROUPS = "Commands", "Issues and CI", "Groups"
COMMANDS = (
    Command("ask", "ask", "Find the code that answers a question (Markdown, or --json).", USER),
    Command("index", "ask", "Build or refresh a repository's index (ask does it too).", USER),
    Command("mcp", "mcp", "Serve find_context and the tools to agents over MCP.", USER),
    Command("serve", "mcp", "Keep repositories warm so `scout ask` answers in ~0.1 s.", USER),
    Command("install", "install", "Add scout to the agent harnesses on this machine.", USER),
    Command("uninstall", "install", "Take out exactly what `scout install` added.", USER),
    Command("adapt", "adapt", "Learn a repository's own words from its history.", USER),
    Command("cache", "cache", "The indexes scout keeps: list, clear, prune.", USER, group=True),
    Command("completion", "completion", "Tab completion for bash, zsh or fish.", USER),
    Command("plan", "plan", "Explore for an issue, then get a plan from a frontier model.", CI),
    Command("patch", "plan", "Explore for an issue, then get a diff from a frontier model.", CI),
    Command("triage", "triage", "The CI bot: answer an issue or a failed run with its code.", CI),
    Command(TOOLS_GROUP, "tools", "The tools one at a time: grep, symbols, read, ...", GROUPS, group=True),
    Command(LEARN_GROUP, "learn", "Mine training data; train the learned explorer.", GROUPS, group=True),
)
SECTIONS = (USER, CI, GROUPS)
BY_NAME = {c.name: c for c in COMMANDS}

# The previous release's top-level spellings (frozen: a new tool gets no old name) -> the new path.
_TOOL_NAMES = ("grep", "glob", "read", "symbols", "outline", "bm25", "semantic", "related")
RENAMED = {name: (TOOLS_GROUP, name) for name in _TOOL_NAMES} | {
    "mine": (LEARN_GROUP, "mine"),
    "train": (LEARN_GROUP, "train"),
}
