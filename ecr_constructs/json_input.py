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
  by default).

Duplicate keys keep the last value, as ``json`` does. Callers that own an error family wrap the
problems: ``raise MyError.from_problems(error.problems) from None``.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import replace
from itertools import accumulate
from os import PathLike
from pathlib import Path
from typing import Any

from .errors import EcrConstructsError, Problem

MAX_DEPTH = 100
"""Default nesting limit: far above any document ECR or CloudFormation uses, far below the
interpreter's recursion limit."""

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


class JsonInputError(EcrConstructsError):
    """Input that is not bounded, well-formed JSON text."""


def read_json_file(path: str | PathLike[str], *, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value in the file at ``path``; problems are named by the path as given.

    :raises JsonInputError: the file can't be read, or its content fails :func:`parse_json`.
    """
    return parse_json(read_file(path), source=str(path), max_depth=max_depth)


def read_file(path: str | PathLike[str]) -> bytes:
    """The bytes of the file at ``path``, for callers that need the text as well as the value.

    :raises JsonInputError: the file can't be read (named by the path as given).
    """
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise JsonInputError(str(path), f"cannot read: {error.strerror or error}") from None


def parse_json(data: str | bytes | bytearray, *, source: str, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value of ``data`` (bytes must be UTF-8).

    :param source: what ``data`` is, for messages: a file name, ``policy``, ``--images``.
    :param max_depth: the most arrays and objects that may enclose a value. Default 100.
    :raises JsonInputError: naming ``source`` (with line and column where known).
    """
    if isinstance(data, bytes | bytearray):
        raw = bytes(data)
        text = _decode(raw, source)
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
    try:
        return json.loads(text, parse_constant=_refuse_constant)
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


class _ConstantError(Exception):
    """``NaN``, ``Infinity`` or ``-Infinity`` in the text."""


def _refuse_constant(name: str) -> Any:
    raise _ConstantError(name)


def _decode(data: bytes, source: str) -> str:
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
                    allowed="JSON text in UTF-8",
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
