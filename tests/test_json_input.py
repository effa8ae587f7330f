"""Bounded JSON reading: every hostile input is one EcrConstructsError naming the source."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_constructs.errors import EcrConstructsError
from ecr_constructs.json_input import MAX_DEPTH, JsonInputError, parse_json, read_json_file


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
