"""One text edit: at `offset`, `removed` was replaced by `inserted`. Undoing it is exact."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Splice:
    offset: int
    removed: str
    inserted: str

    def apply(self, text: str) -> str:
        end = self.offset + len(self.removed)
        if text[self.offset : end] != self.removed:
            raise ValueError("the text is not the one this edit was made for")
        return text[: self.offset] + self.inserted + text[end:]

    def undo(self, text: str) -> str:
        end = self.offset + len(self.inserted)
        if text[self.offset : end] != self.inserted:
            raise ValueError("the text is not the one this edit produced")
        return text[: self.offset] + self.removed + text[end:]

    def to_dict(self) -> dict:
        return {"offset": self.offset, "removed": self.removed, "inserted": self.inserted}

    @classmethod
    def from_dict(cls, data: dict) -> Splice:
        return cls(int(data["offset"]), str(data["removed"]), str(data["inserted"]))


def newline(text: str) -> str:
    """The file's line ending, so inserted lines match the rest (Windows files keep CRLF)."""
    return "\r\n" if "\r\n" in text else "\n"
