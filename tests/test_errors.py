"""errors: problems say where, what was given and what is allowed, whatever was given."""

from __future__ import annotations

from ecr_constructs.errors import EcrConstructsError, Problem, child, format_path


def test_a_given_value_that_cannot_be_shown_is_replaced_by_a_note() -> None:
    problem = Problem("rules[0].countNumber", "too large", given=10**5000, allowed="< 2**31")
    assert str(problem) == (
        "rules[0].countNumber: too large (given <a value too long to show>; allowed: < 2**31)"
    )


def test_long_given_values_are_cut_in_messages_and_kept_whole() -> None:
    problem = Problem("name", "too long", given="x" * 500)
    assert len(str(problem)) < 200 and problem.given == "x" * 500


def test_locations_descend_as_paths_or_as_text() -> None:
    assert child(("access",), 0, "Principal") == ("access", 0, "Principal")
    assert child("access", 0, "Principal") == "access[0].Principal"
    assert child("", "tags") == "tags"
    assert format_path(("tags", "aws:x")) == 'tags["aws:x"]'
    assert format_path(()) == ""


def test_an_error_made_at_a_path_keeps_it() -> None:
    error = EcrConstructsError(("repositories", 2, "name"), "duplicate")
    (problem,) = error.problems
    assert (problem.path, problem.where) == (("repositories", 2, "name"), "repositories[2].name")
    moved = problem.moved(("standards", "base"))
    assert (moved.path, moved.where, moved.message) == (
        ("standards", "base"),
        "standards.base",
        "duplicate",
    )
