"""Text to plain data, remembering the line of every key and list item.

YAML goes through PyYAML's composer (nodes carry their marks), then a walk that builds
Python values and records ``path -> line``. Duplicate keys are errors (PyYAML would keep
the last one silently); merge keys (``<<: *anchor``) work, explicit keys win over merged
ones. JSON goes through the bounded JSON reader; duplicate keys are errors there too, at the
line of each.

Hostile text fails in bounded time and memory, as one problem with its line: mappings and
lists nested more than ``MAX_DEPTH`` (100) deep, aliases that repeat more than
``MAX_ALIAS_VALUES`` values in all (a "billion laughs" file), an alias or merge key inside
the node it names.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ...errors import Path, Problem, format_path
from ...json_input import MAX_DEPTH, JsonInputError, find_duplicate_keys, parse_json
from ...tokens import is_unresolved
from .locations import Issue, SourceMap

MAX_ALIAS_VALUES = 100_000
"""The most values that aliases (``*name``) may repeat in one file, merge keys included: far
above what anchors save in a registry file, far below what exhausts memory."""
_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG = "tag:yaml.org,2002:int"
_SHOWN_SEGMENTS = 6  # of a path in a refusal of the whole file
_Built = TypeVar("_Built")


class ParseFailure(Exception):
    """The text is not YAML/JSON at all; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


# libyaml's parser, when PyYAML has it, composes a large file about ten times faster (0.04 s
# instead of 0.5 s for a thousand repositories), with the same nodes and marks.
_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)


def parse_text(text: str, source_name: str) -> tuple[Any, SourceMap, list[Issue]]:
    """Data, its source map, and the problems found while reading (duplicate keys, values
    that are not literal text...)."""
    if source_name.lower().endswith(".json"):
        data, source_map, issues = _parse_json(text, source_name)
    else:
        data, source_map, issues = _parse_yaml(text, source_name)
    return data, source_map, issues + literal_problems(data)


def literal_problems(data: Any) -> list[Issue]:
    """Strings a registry file can't hold: CDK token syntax (a file holds literal values,
    never references resolved at deploy time) and text that is not valid Unicode (a lone
    surrogate, which JSON escapes can produce)."""
    issues: list[Issue] = []
    pending: list[tuple[Path, Any]] = [((), data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                pending.append(((*path, key), item))
                if isinstance(key, str):
                    issues += _text_issues((*path, key), key, "key ")
        elif isinstance(value, list):
            pending.extend(((*path, index), item) for index, item in enumerate(value))
        elif isinstance(value, str):
            issues += _text_issues(path, value)
    return issues


def _text_issues(path: Path, text: str, what: str = "") -> list[Issue]:
    if is_unresolved(text):
        return [
            Issue(
                path,
                f"a CDK token in a {what}value: a registry file holds literal values only",
                given=text,
                allowed="the value itself",
            )
        ]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return [
            Issue(
                path,
                f"the {what}text is not valid Unicode (a lone surrogate)",
                given=text,
                allowed="text that can be written as UTF-8",
            )
        ]
    return []


def _parse_yaml(text: str, source_name: str) -> tuple[Any, SourceMap, list[Issue]]:
    loader = _LOADER(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as error:
            raise ParseFailure(_yaml_syntax_problem(error, source_name)) from None
        except yaml.YAMLError as error:
            raise ParseFailure(Problem(source_name, f"not valid YAML: {error}")) from None
        except RecursionError:  # PyYAML's own composer, without libyaml, recurses
            raise ParseFailure(
                Problem(source_name, "nests mappings and lists too deep for the YAML composer")
            ) from None
        source_map = SourceMap(source_name, {(): 1})
        if node is None:
            return None, source_map, []
        walker = _YamlWalker(loader, source_map)
        data = walker.value(node, ())
        return data, source_map, walker.issues
    finally:
        loader.dispose()


def _yaml_syntax_problem(error: yaml.MarkedYAMLError, source_name: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    where = source_name if mark is None else f"{source_name}:{mark.line + 1}:{mark.column + 1}"
    message = "not valid YAML: " + " ".join(part for part in (error.context, error.problem) if part)
    return Problem(where, message)


class _YamlWalker:
    """Builds the values of composed nodes, in bounded depth and alias expansion."""

    def __init__(self, loader: yaml.SafeLoader | yaml.CSafeLoader, source_map: SourceMap) -> None:
        self.loader = loader
        self.source_map = source_map
        self.lines = source_map.lines
        self.issues: list[Issue] = []
        self.active: set[int] = set()
        """The mappings and sequences being built: meeting one again is a recursive alias."""
        self.built: set[int] = set()
        """The mappings and sequences built once: building one again repeats an alias."""
        self.repeating = 0
        self.repeated_values = 0
        self.repeated_at: Path = ()
        """Where the outermost alias being built again is used."""

    def value(self, node: Node, path: Path) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        self.count(path)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if len(path) >= MAX_DEPTH:
            raise self.failure(
                path,
                path,
                f"nests mappings and lists more than {MAX_DEPTH} deep",
                allowed=f"at most {MAX_DEPTH}",
            )
        if isinstance(node, SequenceNode):
            return self.collection(
                node,
                path,
                lambda: [self.value(item, (*path, index)) for index, item in enumerate(node.value)],
            )
        assert isinstance(node, MappingNode)
        return self.collection(node, path, lambda: self.mapping(node, path))

    def collection(self, node: Node, path: Path, build: Callable[[], _Built]) -> _Built | None:
        """``build()``, unless ``node`` is being built already (an alias inside the node it
        names: None, and an issue); values built again through an alias are counted."""
        key = id(node)
        if key in self.active:
            self.issues.append(Issue(path, "recursive YAML alias"))
            return None
        again = key in self.built
        if again and not self.repeating:
            self.repeated_at = path
        self.built.add(key)
        self.active.add(key)
        self.repeating += again
        try:
            return build()
        finally:
            self.active.discard(key)
            self.repeating -= again

    def count(self, path: Path) -> None:
        """Count a value built through an alias; refuse the file past ``MAX_ALIAS_VALUES``."""
        if not self.repeating:
            return
        self.repeated_values += 1
        if self.repeated_values > MAX_ALIAS_VALUES:
            at = self.repeated_at  # a list item has the line of its anchor: take the list's
            raise self.failure(
                at,
                at if at and isinstance(at[-1], str) else at[:-1],
                f"aliases (*name) repeat more than {MAX_ALIAS_VALUES:,} values",
                allowed=f"at most {MAX_ALIAS_VALUES:,} values repeated through aliases "
                "and merge keys in one file",
            )

    def failure(self, path: Path, line_of: Path, message: str, *, allowed: str) -> ParseFailure:
        """The file refused at ``path`` (its first segments), on the line of ``line_of``."""
        shown = format_path(path[:_SHOWN_SEGMENTS]) + ("..." if len(path) > _SHOWN_SEGMENTS else "")
        line = self.source_map.line_of(line_of)
        where = f"{self.source_map.name}:{line}: {shown}" if line else self.source_map.name
        return ParseFailure(Problem(where, message, allowed=allowed))

    def scalar(self, node: ScalarNode, path: Path) -> Any:
        try:
            return self.loader.construct_object(node)
        except yaml.YAMLError:
            self.issues.append(
                Issue(path, f"unsupported YAML tag {node.tag}", allowed="plain YAML values")
            )
        except (ValueError, OverflowError) as error:
            if node.tag == _INT_TAG:
                self.issues.append(
                    Issue(
                        path,
                        "an integer too long to read",
                        given=f"{len(node.value):,} characters",
                        allowed=f"at most {sys.get_int_max_str_digits():,} digits",
                    )
                )
            else:
                self.issues.append(Issue(path, f"not a valid {node.tag} value: {error}"))
        return node.value

    def mapping(self, node: MappingNode, path: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merges.append(value_node)
                continue
            key = self.key(key_node, path)
            if key is None:
                continue
            line = key_node.start_mark.line + 1
            if key in result:
                self.issues.append(
                    Issue(
                        (*path, key),
                        f"duplicate key (first at line {first_line[key]})",
                        allowed="each key once per mapping",
                        line=line,
                    )
                )
                continue
            first_line[key] = line
            self.lines[(*path, key)] = line
            result[key] = self.value(value_node, (*path, key))
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, MappingNode):
                    self.issues.append(Issue(path, "a merge key (<<) needs a mapping"))
                    continue
                merged = self.collection(source, path, partial(self.mapping, source, path))
                for key, value in (merged or {}).items():
                    result.setdefault(key, value)
        return result

    def key(self, key_node: Node, path: Path) -> str | None:
        if isinstance(key_node, ScalarNode):
            key = self.scalar(key_node, path)
            if isinstance(key, str):
                return key
        shown = key_node.value if isinstance(key_node, ScalarNode) else "(complex key)"
        self.lines.setdefault((*path, str(shown)), key_node.start_mark.line + 1)
        self.issues.append(
            Issue(
                (*path, str(shown)),
                "keys must be strings; quote the key",
                given=shown,
                allowed="a string key",
            )
        )
        return None


def _parse_json(text: str, source_name: str) -> tuple[Any, SourceMap, list[Issue]]:
    if not text.strip():
        return None, SourceMap(source_name), []
    try:
        data = parse_json(text, source=source_name)
    except JsonInputError as error:
        raise ParseFailure(error.problems[0]) from None
    issues = [
        Issue(
            (*duplicate.path, duplicate.key),
            f"duplicate key (first at line {duplicate.first_line})",
            allowed="each key once per object",
            line=duplicate.line,
        )
        for duplicate in find_duplicate_keys(text)
    ]
    return data, SourceMap(source_name), issues
