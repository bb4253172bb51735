"""Agent harnesses (`harnesses.HARNESSES`: Claude Code, Codex CLI, Cursor, VS Code and eight more):
where each keeps its MCP servers, and the text edits that add scout there and take it out again
(`scout install` / `scout uninstall`).

Every edit is a `Splice` on the file's text, so everything else in the file keeps its bytes, and
the splice recorded at install time undoes it exactly. May import: scout's core modules.
"""
