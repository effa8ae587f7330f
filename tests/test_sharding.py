"""Stable placement: logical IDs, the shard map file, and the placement rule (with a property
test over random histories of additions and removals). Pure Python: no CDK."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_constructs import ConfigError
from ecr_constructs.cloudformation import (
    MAX_TEMPLATE_BYTES,
    STACK_OVERHEAD,
    public_repository_resources,
)
from ecr_constructs.standards import ShardMap, shard_map_path
from ecr_constructs.standards.fleet.placement import (
    PLACEMENT_TEMPLATE_BYTES,
    STACK_BASE_BYTES,
    logical_id,
    place,
    shard_stack_name,
)

LOGICAL_ID = re.compile(r"[A-Za-z][A-Za-z0-9]{0,254}")


# -- logical IDs and names ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # A contract: changing any of these would replace deployed repositories.
        ("my-app", "RepositoryMyApp4C9A75CC"),
        ("team-a/service-x", "RepositoryTeamAServiceX7F888F4C"),
        ("platform/base-images/python", "RepositoryPlatformBaseImagesPythonAC9C1B1D"),
        ("a_b.c", "RepositoryABCA3715283"),
    ],
)
def test_logical_ids_are_fixed_by_the_name(name: str, expected: str) -> None:
    assert logical_id(name) == expected


def test_names_differing_only_in_punctuation_get_distinct_ids() -> None:
    names = ["a-b", "a_b", "a.b", "a/b", "ab", "a__b"]
    ids = {logical_id(name) for name in names}
    assert len(ids) == len(names)
    assert all(identifier.startswith("RepositoryA") for identifier in ids)


@given(
    st.from_regex(r"[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*){0,4}", fullmatch=True)
)
def test_logical_ids_are_valid_cloudformation_ids(name: str) -> None:
    identifier = logical_id(name)
    assert LOGICAL_ID.fullmatch(identifier), identifier
    assert logical_id(name, "PublicRepository").startswith("PublicRepository")


def test_a_256_character_name_gives_an_id_within_the_limit() -> None:
    name = "/".join(["abcdefghij" * 3] * 8)[:256]
    assert len(logical_id(name)) <= 255
    assert LOGICAL_ID.fullmatch(logical_id(name))


def test_stack_names_and_the_map_file_beside_the_registry_file(tmp_path: Path) -> None:
    assert [shard_stack_name("ecr", i) for i in (1, 2, 10)] == ["ecr", "ecr-2", "ecr-10"]
    assert shard_map_path(tmp_path / "registry.yaml") == tmp_path / "registry.shards.json"
    assert shard_map_path(tmp_path / "org.json") == tmp_path / "org.shards.json"


def test_the_map_is_beside_the_file_a_link_leads_to_not_beside_the_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "registry.yaml").write_text("version: 1\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real" / "registry.yaml")
    (tmp_path / "linked-dir").symlink_to(tmp_path / "real")
    expected = tmp_path / "real" / "registry.shards.json"
    assert shard_map_path(tmp_path / "link.yaml") == expected
    assert shard_map_path(tmp_path / "linked-dir" / "registry.yaml") == expected


# -- the shard map file -------------------------------------------------------------------


def test_the_map_round_trips_sorted(tmp_path: Path) -> None:
    path = tmp_path / "registry.shards.json"
    shard_map = ShardMap(repositories={"b": 2, "a": 1}, public_repositories={"cli": 1})
    path.write_text(shard_map.to_json())
    assert list(json.loads(path.read_text())["repositories"]) == ["a", "b"]
    assert ShardMap.read(path) == shard_map
    assert ShardMap.read(tmp_path / "missing.json") is None
    assert shard_map.stacks == (1, 2)


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("{", ["m.json:1:2", "is not valid JSON"]),
        ("[]", ["m.json", "expected a JSON object", "'list'"]),
        (
            '{"version": 3}',
            ["m.json version", "unsupported shard map version", "given 3", "1 or 2"],
        ),
        (
            '{"version": 1, "repos": {}}',
            ["m.json repos", "unknown key", "allowed: about, version, repositories"],
        ),
        (
            '{"version": 1, "repositories": {"a": 0}}',
            ["m.json repositories['a']", "not a stack number", "given 0", "from 1 to 999"],
        ),
        ('{"version": 1, "repositories": {"a": 1e200}}', ["repositories['a']", "given 1e+200"]),
        ('{"version": 1, "repositories": {"a": 1000}}', ["repositories['a']", "given 1000"]),
        (
            '{"version": 1, "repositories": {"a": ' + "9" * 5000 + "}}",
            ["m.json:1:38: has an integer of 5,000 digits"],
        ),
        (
            '{"version": 1,\n "repositories": {\n  "a": 1,\n  "b": 1,\n  "a": 2\n }\n}',
            ["m.json:5:3: duplicate key 'a' in repositories (first at line 3)"],
        ),
        (
            '{"version": 1, "repositories": {"a": true}}',
            ["repositories['a']", "given True"],
        ),
        ('{"version": 1, "public_repositories": []}', ["m.json public_repositories", "given []"]),
    ],
)
def test_a_malformed_map_is_reported_with_where_what_and_allowed(
    text: str, fragments: list[str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        ShardMap.parse(text, "m.json")
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message


# -- placement ----------------------------------------------------------------------------


def test_without_a_map_names_in_order_fill_stack_after_stack() -> None:
    names = [f"r{i:02d}" for i in range(10)]
    placement = place(list(reversed(names)), max_resources_per_stack=5)
    # 4 repositories + the CDK metadata resource per stack.
    assert placement.shard_map.repositories == {
        name: 1 + index // 4 for index, name in enumerate(names)
    }
    assert placement.resources == {1: 5, 2: 5, 3: 3}
    assert placement.members("repositories", 3) == ["r09", "r08"]


def test_kept_entries_stay_removed_ones_free_their_place_new_ones_take_the_first_room() -> None:
    previous = ShardMap(repositories={"a": 1, "b": 1, "c": 2, "old": 1})
    placement = place(["a", "b", "c", "new", "z"], previous=previous, max_resources_per_stack=4)
    assert placement.shard_map.repositories == {"a": 1, "b": 1, "c": 2, "new": 1, "z": 2}
    assert placement.added.repositories == {"new": 1, "z": 2}
    assert placement.removed.repositories == {"old": 1}


def test_other_resources_take_room_in_their_stack() -> None:
    placement = place(
        ["a", "b", "c"],
        public_repositories=["cli"],
        max_resources_per_stack=4,
        other_resources={1: 2},
    )
    assert placement.shard_map.repositories == {"a": 1, "b": 2, "c": 2}
    assert placement.shard_map.public_repositories == {"cli": 2}
    assert placement.resources == {1: 4, 2: 4}


def test_a_public_repository_with_a_logo_takes_its_logo_s_resources_too() -> None:
    placement = place(
        ["a", "b"],
        public_repositories=["cli", "web"],
        max_resources_per_stack=7,
        resources_of={"public_repositories": {"cli": public_repository_resources(logo=True)}},
    )
    # cli (5 resources) doesn't fit beside a, b and the metadata (3 + 5 > 7); web (1) does.
    assert placement.shard_map.repositories == {"a": 1, "b": 1}
    assert placement.shard_map.public_repositories == {"cli": 2, "web": 1}
    assert placement.resources == {1: 4, 2: 6}


def test_a_stack_that_can_no_longer_hold_its_logos_says_how_many_repositories_it_holds() -> None:
    previous = ShardMap(repositories={"a": 1}, public_repositories={"cli": 1})
    with pytest.raises(ConfigError) as caught:
        place(
            ["a"],
            public_repositories=["cli"],
            previous=previous,
            max_resources_per_stack=6,
            resources_of={"public_repositories": {"cli": public_repository_resources(logo=True)}},
        )
    assert "would hold 7 resources (2 repositories placed there earlier with 6 resources" in str(
        caught.value
    )


def test_registry_wide_resources_too_large_alone_are_named_as_the_cause() -> None:
    with pytest.raises(ConfigError) as caught:
        place(
            {"a": 2_000},
            max_resources_per_stack=400,
            other_resources={1: 3},
            other_bytes={1: MAX_TEMPLATE_BYTES},
            stack_name_base="ecr",
        )
    (problem,) = caught.value.problems
    assert problem.where == "stack ecr"
    assert "with its other resources alone (the registry-wide settings" in problem.message
    assert problem.allowed == "at most 1,000,000 bytes: fewer or shorter registry-wide settings"


def test_a_map_entry_for_a_far_stack_is_kept_and_the_gap_filled_first() -> None:
    previous = ShardMap(repositories={"a": 7})
    placement = place(["a", "b"], previous=previous, max_resources_per_stack=400)
    assert placement.shard_map.repositories == {"a": 7, "b": 1}


def test_a_stack_that_can_no_longer_hold_what_it_holds_is_an_error_not_a_move() -> None:
    previous = ShardMap(repositories={"a": 1, "b": 1, "c": 1})
    with pytest.raises(ConfigError) as caught:
        place(
            ["a", "b", "c"],
            previous=previous,
            max_resources_per_stack=5,
            other_resources={1: 2},
            stack_name_base="ecr",
            where="deployment.max_resources_per_stack",
        )
    message = str(caught.value)
    assert message.startswith("deployment.max_resources_per_stack: stack ecr would hold 6")
    assert "3 repositories placed there earlier, 2 other resources" in message
    assert "repositories never move between stacks" in message
    assert "given 5" in message
    assert "a limit of at least 6" in message


def test_template_bytes_fill_a_stack_too() -> None:
    share = (PLACEMENT_TEMPLATE_BYTES - STACK_BASE_BYTES) // 3
    placement = place({f"r{i}": share for i in range(7)}, max_resources_per_stack=400)
    assert placement.shard_map.repositories == {f"r{i}": 1 + i // 3 for i in range(7)}
    assert placement.template_bytes == {
        1: STACK_BASE_BYTES + 3 * share,
        2: STACK_BASE_BYTES + 3 * share,
        3: STACK_BASE_BYTES + share,
    }
    # A repository larger than the budget still gets a stack (of its own).
    alone = place({"huge": PLACEMENT_TEMPLATE_BYTES, "small": 10}, max_resources_per_stack=400)
    assert alone.shard_map.repositories == {"huge": 1, "small": 2}


def test_a_stack_whose_repositories_grew_past_cloudformations_limit_is_an_error() -> None:
    previous = ShardMap(repositories={"a": 1, "b": 1})
    with pytest.raises(ConfigError) as caught:
        place({"a": 600_000, "b": 500_000}, previous=previous, max_resources_per_stack=400)
    message = str(caught.value)
    assert message.startswith(
        "stack stack: its template would be larger than CloudFormation accepts"
    )
    assert f"given 'about {STACK_BASE_BYTES + 1_100_000:,} bytes'" in message
    assert f"allowed: at most {MAX_TEMPLATE_BYTES:,} bytes" in message


@pytest.mark.parametrize("limit", [0, 1, 501])
def test_a_limit_without_room_for_a_repository_is_refused(limit: int) -> None:
    with pytest.raises(ConfigError) as caught:
        place(["a"], max_resources_per_stack=limit)
    assert f"given {limit}" in str(caught.value)
    assert "allowed: 2..500" in str(caught.value)


# -- the property: nothing ever moves, no stack over the limit ------------------------------

NAMES = st.sets(st.from_regex(r"[a-z]{1,3}(/[a-z]{1,2})?", fullmatch=True), max_size=40)


def size_of(name: str) -> int:
    """Each repository's template bytes: fixed per name, up to 40% of a stack's budget."""
    return int(logical_id(name)[-8:], 16) % (PLACEMENT_TEMPLATE_BYTES * 2 // 5)


Step = tuple[set[str], set[str], set[str], set[str]]


@st.composite
def histories(draw: st.DrawFn) -> tuple[int, int, list[Step]]:
    """A limit, registry-wide resources in stack 1, and steps of (private additions,
    private removals, public additions, public removals)."""
    limit = draw(st.integers(min_value=2, max_value=12))
    registry = draw(st.integers(min_value=0, max_value=limit - 2))
    steps = draw(st.lists(st.tuples(NAMES, NAMES, NAMES, NAMES), min_size=1, max_size=8))
    return limit, registry, steps


@settings(max_examples=100, deadline=None)
@given(histories())
def test_no_repository_ever_changes_stack_or_id_and_no_stack_exceeds_the_limit(
    history: tuple[int, int, list[Step]],
) -> None:
    limit, registry, steps = history
    fleet: dict[str, set[str]] = {"repositories": set(), "public_repositories": set()}
    shard_map: ShardMap | None = None
    for add, remove, add_public, remove_public in steps:
        before = {
            section: dict(shard_map.section(section)) if shard_map else {} for section in fleet
        }
        fleet["repositories"] = (fleet["repositories"] - remove) | add
        fleet["public_repositories"] = (fleet["public_repositories"] - remove_public) | add_public
        placement = place(
            {name: size_of(name) for name in sorted(fleet["repositories"], reverse=True)},
            public_repositories={name: size_of(name) for name in fleet["public_repositories"]},
            previous=shard_map,
            max_resources_per_stack=limit,
            other_resources={1: registry},
        )
        shard_map = placement.shard_map
        for section, names in fleet.items():
            placed = shard_map.section(section)
            assert set(placed) == names
            for name, index in before[section].items():
                if name in names:
                    assert placed[name] == index, (section, name)
            ids = [logical_id(name) for name in names]
            assert len(set(ids)) == len(ids)
        for index, total in placement.resources.items():
            members = placement.members("repositories", index)
            members += placement.members("public_repositories", index)
            assert total == STACK_OVERHEAD + len(members) + (registry if index == 1 else 0)
            assert total <= limit
            assert placement.template_bytes[index] <= PLACEMENT_TEMPLATE_BYTES or len(members) == 1
        # Reading the written map back gives the same placement.
        assert ShardMap.parse(shard_map.to_json()) == shard_map
