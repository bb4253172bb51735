"""Errors a user can act on. Each carries a one-line message; the CLI maps them to exit code 2."""

EMPTY_QUERY = "the query is empty"  # said the same way by every surface: CLI, MCP, the ask route


class ScoutError(Exception):
    """Base class: the message is shown to the user as one line, without a traceback."""

    hint: str = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint or self.hint

    def one_line(self) -> str:
        text = str(self).replace("\n", " ")
        return f"{text} ({self.hint})" if self.hint else text


class RepoError(ScoutError):
    """The repository is missing, unreadable or not a directory."""


class OutsideRepoError(ScoutError):
    """A path (or the target of a symlink) resolves outside the repository root."""


class ToolError(ScoutError):
    """A tool was called with bad arguments (an invalid regex, an unknown file, ...)."""


class MissingBinaryError(ScoutError):
    """An external binary scout needs (ripgrep) cannot be found."""
