"""Reading a user's text file (payload, fixture, token) with one set of clear messages."""

from __future__ import annotations

from pathlib import Path


class TextFileError(ValueError):
    """A file that could not be used. `unreadable` separates "cannot read it" (a usage or
    environment problem) from "read it, and it is not text we can use"."""

    def __init__(self, message: str, *, unreadable: bool) -> None:
        super().__init__(message)
        self.unreadable = unreadable


def read_text_file(path: str | Path, what: str, limit: int) -> str:
    """The file as UTF-8 text (a BOM is dropped), at most `limit` bytes."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except FileNotFoundError:
        raise TextFileError(
            f"cannot read {what} {path}: it does not exist", unreadable=True
        ) from None
    except IsADirectoryError:
        raise TextFileError(
            f"cannot read {what} {path}: it is a directory", unreadable=True
        ) from None
    except OSError as exc:
        raise TextFileError(
            f"cannot read {what} {path}: {exc.strerror or exc}", unreadable=True
        ) from None
    return decode_text(raw, f"{what} {path}", limit)


def decode_text(raw: bytes, origin: str, limit: int) -> str:
    if len(raw) > limit:
        size = f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit // 1024} KiB"
        raise TextFileError(
            f"the {origin} is over {size}; is it the right input?", unreadable=False
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TextFileError(f"the {origin} is not UTF-8 text", unreadable=False) from None
