"""Bounded JSON reading: every hostile input is one EcrConstructsError naming the source."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_constructs.errors import EcrConstructsError
from ecr_constructs.json_input import (
    MAX_DEPTH,
    DuplicateKeys,
    JsonInputError,
    find_duplicate_keys,
    parse_json,
    read_file,
    read_json_file,
)


def refusal(data: Any, **options: Any) -> str:
    with pytest.raises(JsonInputError) as caught:
        parse_json(data, source="input.json", **options)
    assert isinstance(caught.value, EcrConstructsError)
    (problem,) = caught.value.problems
    return str(problem)


def test_valid_json_from_text_or_bytes() -> None:
    document = {"rules": [{"n": 1, "tags": ["é", None, True, 1.5]}]}
    text = json.dumps(document, ensure_ascii=False)
    assert parse_json(text, source="s") == document
    assert parse_json(text.encode(), source="s") == document
    assert parse_json(bytearray(text.encode()), source="s") == document


def test_nesting_at_the_limit_is_read_and_one_deeper_is_refused_at_its_position() -> None:
    assert parse_json("[" * MAX_DEPTH + "]" * MAX_DEPTH, source="s") is not None
    message = refusal("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert message == (
        f"input.json:1:{MAX_DEPTH + 1}: nests arrays and objects more than {MAX_DEPTH} deep "
        f"(allowed: at most {MAX_DEPTH})"
    )


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_hostile_nesting_never_reaches_the_parser_s_recursion(opener: str) -> None:
    assert "nests arrays and objects more than" in refusal(opener * 100_000)
    assert "more than 3 deep" in refusal('{"a": [[["x"]]]}', max_depth=3)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = json.dumps(["[" * 500, "{" * 500, '\\"[[[['])
    assert parse_json(text, source="s") == ["[" * 500, "{" * 500, '\\"[[[[']


def test_an_unterminated_string_full_of_escapes_is_refused_quickly() -> None:
    # Would make a naive string scanner restart at every escaped quote.
    message = refusal("[" * (MAX_DEPTH + 1) + '"' + '\\"' * 200_000)
    assert "input.json:1:" in message


def test_bytes_that_are_not_utf8_name_line_and_column() -> None:
    assert refusal(b'{"a":\n  "\x80"}') == (
        "input.json:2:4: is not UTF-8 text (byte 0x80 at offset 9) (allowed: JSON text in UTF-8)"
    )


def test_invalid_json_names_line_and_column() -> None:
    assert refusal('{\n  "a": 1,\n}') == (
        "input.json:3:1: is not valid JSON: Expecting property name enclosed in double quotes "
        "(given '}'; allowed: JSON text (RFC 8259))"
    )
    long_line = '{"a": ' + "1" * 100 + ", x}"
    assert refusal(long_line) == (
        "input.json:1:109: is not valid JSON: Expecting property name enclosed in double quotes "
        f"(given '{'1' * 28}, x}}'; allowed: JSON text (RFC 8259))"
    )


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant: str) -> None:
    assert refusal(f'{{"s": "NaN", "n": {constant}}}') == (
        f"input.json:1:19: is not valid JSON: {constant} is not a JSON number "
        "(allowed: JSON text (RFC 8259))"
    )


def test_an_integer_past_the_digit_limit_is_refused_where_it_stands() -> None:
    limit = sys.get_int_max_str_digits()
    text = '{"ok": "' + "9" * 6000 + '", "n": -' + "1" * (limit + 700) + "}"
    assert refusal(text) == (
        f"input.json:1:6017: has an integer of {limit + 700:,} digits "
        f"(allowed: integers of at most {limit:,} digits)"
    )
    assert parse_json("1" * 5000 + ".5", source="s") == float("1" * 5000 + ".5")


def test_other_types_are_refused() -> None:
    assert (
        refusal(12)
        == "input.json: is not JSON text (given 'int'; allowed: a str, or bytes in UTF-8)"
    )


def test_files_are_named_by_their_path(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text('{"a": [1]}', encoding="utf-8")
    assert read_json_file(good) == {"a": [1]}
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"[" * 100_000)
    with pytest.raises(JsonInputError, match=rf"^{re.escape(str(bad))}:1:101: nests arrays"):
        read_json_file(bad)
    with pytest.raises(JsonInputError, match=r"missing\.json: cannot read: No such file"):
        read_json_file(tmp_path / "missing.json")


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=200) | st.text(alphabet='[]{}"\\:,0123456789.eE-+ \nantrufl', max_size=200)
)
def test_nothing_but_the_library_s_error_escapes(data: bytes | str) -> None:
    try:
        parse_json(data, source="fuzz", max_depth=5)
    except JsonInputError as error:
        assert str(error).startswith("fuzz")


# -- files: regular files of bounded size only ------------------------------------------------


def test_a_fifo_a_device_a_directory_and_a_dangling_link_are_refused_without_reading(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)  # opened for reading without a writer: would block a plain open()
    zero = tmp_path / "zero.json"
    zero.symlink_to("/dev/zero")  # would read forever
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "gone.json")
    expected = {
        fifo: "is not a regular file (given 'a FIFO (named pipe)'; allowed: a regular file)",
        zero: "is not a regular file (given 'a character device'; allowed: a regular file)",
        tmp_path: "is not a regular file (given 'a directory'; allowed: a regular file)",
        dangling: "is a symbolic link to a file that does not exist (given "
        f"'{tmp_path / 'gone.json'}'; allowed: a link to an existing file, or the file itself)",
    }
    for path, message in expected.items():
        with pytest.raises(JsonInputError) as caught:
            read_json_file(path)
        assert str(caught.value) == f"{path}: {message}"


def test_a_file_past_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "large.json"
    path.write_text('["' + "x" * 96 + '"]')
    assert len(read_file(path, max_bytes=100)) == 100
    with pytest.raises(JsonInputError) as caught:
        read_file(path, max_bytes=99)
    assert str(caught.value) == (
        f"{path}: is too large to read (given '100 bytes'; allowed: at most 99 bytes)"
    )


# -- duplicate keys ---------------------------------------------------------------------------


def test_duplicate_keys_are_kept_last_by_default_and_refused_at_both_lines_on_request() -> None:
    text = '{"a": 1,\n "b": {"x": [{"y": 2, "\\u0079": 3}]},\n "a": 4}'
    assert parse_json(text, source="m.json") == {"a": 4, "b": {"x": [{"y": 3}]}}
    with pytest.raises(JsonInputError) as caught:
        parse_json(text, source="m.json", duplicate_keys=DuplicateKeys.REFUSE)
    assert [str(problem) for problem in caught.value.problems] == [
        "m.json:2:23: duplicate key 'y' in b.x[0] (first at line 2) "
        "(allowed: each key once per object)",
        "m.json:3:2: duplicate key 'a' in the top-level object (first at line 1) "
        "(allowed: each key once per object)",
    ]
    unique = '{"a": {"b": 1}, "c": [{"b": 1}, {"b": 2}]}'
    assert parse_json(unique, source="s", duplicate_keys=DuplicateKeys.REFUSE) == json.loads(unique)


Pairs = list[tuple[str, Any]]


def _json_values() -> st.SearchStrategy[Any]:
    """JSON values whose objects are lists of (key, value) pairs: keys may repeat."""
    keys = st.sampled_from(["a", "b", "c", 'q"', "\\"])
    return st.recursive(
        st.none() | st.integers(-5, 5) | st.text(alphabet='ab"\\{}[],:', max_size=4),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.lists(st.tuples(keys, inner), max_size=4).map(lambda pairs: ("object", pairs))
        ),
        max_leaves=12,
    )


def _render(value: Any) -> str:
    if isinstance(value, tuple):
        items = ", ".join(f"{json.dumps(k)}:\n{_render(v)}" for k, v in value[1])
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_render(item) for item in value) + "]"
    return json.dumps(value)


def _repeated(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[Any, str]]:
    """The (object path, key) of every repeated key, by recursion (the reference)."""
    found: list[tuple[Any, str]] = []
    if isinstance(value, tuple):
        seen: set[str] = set()
        for key, _ in value[1]:
            if key in seen:
                found.append((path, key))
            seen.add(key)
        for key, item in value[1]:
            found.extend(_repeated(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_repeated(item, (*path, index)))
    return found


@settings(max_examples=300, deadline=None)
@given(_json_values())
def test_duplicate_keys_are_found_where_a_recursive_reference_finds_them(value: Any) -> None:
    text = _render(value)
    found = [(d.path, d.key) for d in find_duplicate_keys(text)]
    expected = _repeated(value)
    assert sorted(found, key=repr) == sorted(expected, key=repr)
    for duplicate in find_duplicate_keys(text):
        assert text.splitlines()[duplicate.line - 1][duplicate.column - 1 :].startswith(
            json.dumps(duplicate.key)
        )


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


TRICKY_TEXT = st.text(alphabet='[]{}"\\ab\n/', max_size=6)
NESTED = st.recursive(
    st.none() | st.integers() | TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY_TEXT, inner, max_size=3),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(NESTED, st.integers(0, 6), st.booleans(), st.booleans())
def test_the_depth_limit_is_exact_whatever_the_strings_hold(
    value: Any, limit: int, as_bytes: bool, ascii_only: bool
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=None if limit % 2 else 1)
    data = text.encode() if as_bytes else text
    if depth(value) <= limit:
        assert parse_json(data, source="s", max_depth=limit) == value
    else:
        with pytest.raises(JsonInputError, match=f"more than {limit} deep"):
            parse_json(data, source="s", max_depth=limit)
