"""Bounded JSON reading for input the library does not control: files, API text, arguments.

Pure Python. :func:`parse_json` turns text or bytes into Python values, :func:`read_json_file`
reads a file first (:func:`read_file` reads one for callers that keep its text); none ever
lets a bare Python exception escape. Every refusal is one
:class:`JsonInputError` (an :class:`~ecr_constructs.errors.EcrConstructsError`) whose problem
names the source, and the line and column (``policy.json:3:17``) where there is one:

- bytes that are not UTF-8 (a byte order mark is not skipped: it is refused as JSON);
- text that is not JSON, with ``json``'s own reason; ``NaN`` and ``Infinity`` are not JSON;
- arrays and objects nested deeper than ``max_depth`` (default :data:`MAX_DEPTH`), found
  without recursion before the parser runs, so deep input never reaches ``RecursionError``;
- integers with more digits than Python converts (``sys.get_int_max_str_digits()``, 4,300
  by default);
- with ``duplicate_keys=DuplicateKeys.REFUSE``, a key given twice in one object, at the line of
  each (by default the last value is kept, as ``json`` does).

:func:`read_file` reads regular files only, of at most ``max_bytes`` (default
:data:`MAX_FILE_BYTES`): a FIFO, a directory or a device (``/dev/zero``) is refused before it is
read, so no input file blocks or reads forever. Callers that own an error family wrap the
problems: ``raise MyError.from_problems(error.problems) from None``.
"""

from __future__ import annotations

import enum
import json
import os
import re
import stat
import sys
from dataclasses import dataclass, replace
from itertools import accumulate
from os import PathLike
from typing import Any

from .errors import EcrConstructsError, Path, Problem, format_path

MAX_DEPTH = 100
"""Default nesting limit: far above any document ECR or CloudFormation uses, far below the
interpreter's recursion limit."""
MAX_FILE_BYTES = 64 * 1024 * 1024
"""Default size limit of an input file: 64 MiB, far above any registry file, shard map or
CloudFormation template (at most 1 MB), so a file past it is a mistake or hostile."""

# A string to its closing quote, or to the end of the text when it has none (so a scan never
# restarts inside an unterminated string: every pattern here runs in linear time).
_STRING = r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)'
_BRACKETS = re.compile(_STRING + r"|([\[{])|[\]}]", re.DOTALL)
_ESCAPES = re.compile(rb"\\.", re.DOTALL)
_NOT_STRUCTURE = bytes(set(range(256)) - set(b'"[]{}'))
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_CONSTANT = re.compile(_STRING + r"|(-?Infinity|NaN)", re.DOTALL)
_JSON = "JSON text (RFC 8259)"
_EXCERPT = 30  # characters shown on each side of a syntax error
# What locates keys: strings, brackets and commas.
_TOKENS = re.compile(_STRING + r"|[\[\]{},]", re.DOTALL)
_FILE_TYPES = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


class JsonInputError(EcrConstructsError):
    """Input that is not bounded, well-formed JSON text, or a file that can't be read as one."""


class DuplicateKeys(enum.Enum):
    """What :func:`parse_json` does with a key given twice in one object."""

    KEEP_LAST = "keep the last value, as json does"
    REFUSE = "refuse, naming the line of each occurrence"


@dataclass(frozen=True)
class DuplicateKey:
    """A key given twice in one object of a JSON text."""

    path: Path
    """The field path of the object that holds it (``()``: the top-level object)."""
    key: str
    line: int
    column: int
    first_line: int
    """The line of the key's first occurrence in that object."""


def read_json_file(path: str | PathLike[str], *, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value in the file at ``path``; problems are named by the path as given.

    :raises JsonInputError: the file can't be read, or its content fails :func:`parse_json`.
    """
    return parse_json(read_file(path), source=str(path), max_depth=max_depth)


def read_file(path: str | PathLike[str], *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the file at ``path``, for callers that need the text as well as the value.

    Only a regular file (a symbolic link is followed) of at most ``max_bytes`` is read
    (default :data:`MAX_FILE_BYTES`, 64 MiB); it is opened without blocking, so a FIFO is
    refused at once, and at most ``max_bytes`` are read, even from a file that grows.

    :raises JsonInputError: the file can't be read, is not a regular file, or is too large
        (named by the path as given).
    """
    source = str(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError as error:
        if os.path.islink(path):
            raise JsonInputError(
                source,
                "is a symbolic link to a file that does not exist",
                given=os.readlink(path),
                allowed="a link to an existing file, or the file itself",
            ) from None
        raise JsonInputError(source, f"cannot read: {error.strerror}") from None
    except OSError as error:
        raise JsonInputError(source, f"cannot read: {error.strerror or error}") from None
    try:
        status = os.fstat(descriptor)
        kind = _FILE_TYPES.get(stat.S_IFMT(status.st_mode))
        if not stat.S_ISREG(status.st_mode):
            raise JsonInputError(
                source,
                "is not a regular file",
                given=kind or "a special file",
                allowed="a regular file",
            )
        if status.st_size > max_bytes:
            raise _too_large(source, f"{status.st_size:,} bytes", max_bytes)
        chunks: list[bytes] = []
        size = 0
        while chunk := os.read(descriptor, min(1 << 20, max_bytes + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(source, f"more than {max_bytes:,} bytes", max_bytes)
        return b"".join(chunks)
    except OSError as error:
        raise JsonInputError(source, f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def _too_large(source: str, given: str, max_bytes: int) -> JsonInputError:
    return JsonInputError(
        source, "is too large to read", given=given, allowed=f"at most {max_bytes:,} bytes"
    )


def parse_json(
    data: str | bytes | bytearray,
    *,
    source: str,
    max_depth: int = MAX_DEPTH,
    duplicate_keys: DuplicateKeys = DuplicateKeys.KEEP_LAST,
) -> Any:
    """The JSON value of ``data`` (bytes must be UTF-8).

    :param source: what ``data`` is, for messages: a file name, ``policy``, ``--images``.
    :param max_depth: the most arrays and objects that may enclose a value. Default 100.
    :param duplicate_keys: Default: the last value of a repeated key is kept, as ``json``
        does; ``DuplicateKeys.REFUSE`` refuses every repeated key, at its line.
    :raises JsonInputError: naming ``source`` (with line and column where known).
    """
    if isinstance(data, bytes | bytearray):
        raw = bytes(data)
        text = decode_utf8(raw, source=source)
    elif isinstance(data, str):
        text = data
        raw = None
    else:
        raise JsonInputError(
            source,
            "is not JSON text",
            given=type(data).__name__,
            allowed="a str, or bytes in UTF-8",
        )
    _check_depth(text, raw, source, max_depth)
    repeated: list[bool] = []

    def unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        value = dict(pairs)
        if len(value) < len(pairs):
            repeated.append(True)
        return value

    hook = unique_pairs if duplicate_keys is DuplicateKeys.REFUSE else None
    try:
        value = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=hook)
    except json.JSONDecodeError as error:
        message = f"is not valid JSON: {error.msg}"
        problem = _at(text, error.pos, source, message, allowed=_JSON)
        raise JsonInputError.from_problems(
            [replace(problem, given=_excerpt(text, error.pos))]
        ) from None
    except _ConstantError:
        match = _first(_CONSTANT, text)
        where = match.start(1) if match else None
        name = match.group(1) if match else "NaN or Infinity"
        message = f"is not valid JSON: {name} is not a JSON number"
        raise JsonInputError.from_problems(
            [_at(text, where, source, message, allowed=_JSON)]
        ) from None
    except ValueError:  # an integer past the interpreter's digit limit
        limit = sys.get_int_max_str_digits()
        long_number = re.compile(_STRING + rf"|(-?\d{{{limit + 1},}})(?![.\deE])", re.DOTALL)
        match = _first(long_number, text)
        digits = len(match.group(1).lstrip("-")) if match else None
        message = (
            f"has an integer of {digits:,} digits" if digits else "has an integer too long to read"
        )
        raise JsonInputError.from_problems(
            [
                _at(
                    text,
                    match.start(1) if match else None,
                    source,
                    message,
                    allowed=f"integers of at most {limit:,} digits",
                )
            ]
        ) from None
    if repeated:
        raise JsonInputError.from_problems(
            Problem(
                f"{source}:{duplicate.line}:{duplicate.column}",
                f"duplicate key {duplicate.key!r} in "
                f"{format_path(duplicate.path) or 'the top-level object'} "
                f"(first at line {duplicate.first_line})",
                allowed="each key once per object",
            )
            for duplicate in find_duplicate_keys(text)
        )
    return value


def find_duplicate_keys(text: str) -> list[DuplicateKey]:
    """Every key given twice in one object of ``text`` (valid JSON text), in text order, found
    in linear time without recursion."""
    found: list[DuplicateKey] = []
    # One entry per open bracket: the keys seen so far (None for an array), and whether ``path``
    # ends with a segment of that bracket's own (an array always has its index).
    keys: list[dict[str, int] | None] = []
    own_segment: list[bool] = []
    path: list[str | int] = []  # to the value being read
    wants_key = False
    line, counted = 1, 0
    for match in _TOKENS.finditer(text):
        token = match.group(0)
        if token in "{[":
            keys.append({} if token == "{" else None)
            own_segment.append(token == "[")
            if token == "[":
                path.append(0)
            wants_key = token == "{"
        elif token in "]}":
            keys.pop()
            if own_segment.pop():
                path.pop()
            wants_key = False
        elif token == ",":
            if keys[-1] is None:
                path[-1] = int(path[-1]) + 1
            else:
                path.pop()
                own_segment[-1] = False
                wants_key = True
        elif wants_key:  # a string where a key is expected
            wants_key = False
            start = match.start()
            line += text.count("\n", counted, start)
            counted = start
            key: str = json.loads(token)
            seen = keys[-1]
            assert seen is not None
            if key in seen:
                column = start - text.rfind("\n", 0, start)
                found.append(DuplicateKey(tuple(path), key, line, column, seen[key]))
            else:
                seen[key] = line
            path.append(key)
            own_segment[-1] = True
    return found


class _ConstantError(Exception):
    """``NaN``, ``Infinity`` or ``-Infinity`` in the text."""


def _refuse_constant(name: str) -> Any:
    raise _ConstantError(name)


def decode_utf8(data: bytes, *, source: str, allowed: str = "JSON text in UTF-8") -> str:
    """``data`` as text; ``JsonInputError`` at the line and column of the first byte that is
    not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start].decode("utf-8")
        raise JsonInputError.from_problems(
            [
                _at(
                    before,
                    len(before),
                    source,
                    f"is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start:,})",
                    allowed=allowed,
                )
            ]
        ) from None


def _check_depth(text: str, raw: bytes | None, source: str, max_depth: int) -> None:
    """Refuse nesting deeper than ``max_depth``, counting brackets outside strings (``raw``:
    the text's UTF-8 bytes, when the caller has them). A fifth to a third of ``json.loads``'s
    own time on a large file."""
    if text.count("[") + text.count("{") <= max_depth:
        return  # not enough brackets anywhere to nest that deep
    if raw is None:
        raw = text.encode("utf-8", "surrogatepass")
    # An escaped character is never structure; of the rest only quotes and brackets matter.
    # Then `""` is a string without brackets (or two strings with only separators between
    # them): drop those first, then what lies between quotes.
    kept = _ESCAPES.sub(b"", raw).translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    outside = b"".join(kept.split(b'"')[::2])
    if max(accumulate(map(_STEP.__getitem__, outside)), default=0) <= max_depth:
        return
    depth = 0
    for match in _BRACKETS.finditer(text):  # find where, only once it is known to be too deep
        if match.group(1):
            depth += 1
            if depth > max_depth:
                message = f"nests arrays and objects more than {max_depth} deep"
                raise JsonInputError.from_problems(
                    [_at(text, match.start(), source, message, allowed=f"at most {max_depth}")]
                )
        elif match.group(0) in "]}":
            depth -= 1


def _first(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match of ``pattern``'s group 1 outside JSON strings."""
    return next((m for m in pattern.finditer(text) if m.group(1)), None)


def _excerpt(text: str, index: int) -> str:
    """The text around ``index`` on its line."""
    start = max(text.rfind("\n", 0, index) + 1, index - _EXCERPT)
    end = text.find("\n", index)
    return text[start : min(index + _EXCERPT, len(text) if end < 0 else end)]


def _at(
    text: str, index: int | None, source: str, message: str, *, allowed: str | None = None
) -> Problem:
    """A problem at ``source:line:column`` of ``index`` in ``text`` (``source`` when None)."""
    if index is None:
        return Problem(source, message, allowed=allowed)
    line = text.count("\n", 0, index) + 1
    column = index - text.rfind("\n", 0, index)
    return Problem(f"{source}:{line}:{column}", message, allowed=allowed)
