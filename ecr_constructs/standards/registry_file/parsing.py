"""Text to plain data, remembering the line of every key and list item.

YAML goes through PyYAML's composer (nodes carry their marks), then a walk that builds
Python values and records ``path -> line``. Duplicate keys are errors (PyYAML would keep
the last one silently); merge keys (``<<: *anchor``) work, explicit keys win over merged
ones. JSON goes through the json module; duplicate keys are errors there too.
"""

from __future__ import annotations

import json
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ...errors import Path, Problem
from ...tokens import is_unresolved
from .locations import Issue, SourceMap

_MERGE_TAG = "tag:yaml.org,2002:merge"


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
    def __init__(self, loader: yaml.SafeLoader | yaml.CSafeLoader, source_map: SourceMap) -> None:
        self.loader = loader
        self.lines = source_map.lines
        self.issues: list[Issue] = []
        self.active: set[int] = set()

    def value(self, node: Node, path: Path) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            self.issues.append(Issue(path, "recursive YAML alias"))
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.value(item, (*path, index)) for index, item in enumerate(node.value)]
            assert isinstance(node, MappingNode)
            return self.mapping(node, path)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: ScalarNode, path: Path) -> Any:
        try:
            return self.loader.construct_object(node)
        except yaml.YAMLError:
            self.issues.append(
                Issue(path, f"unsupported YAML tag {node.tag}", allowed="plain YAML values")
            )
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
                for key, value in self.mapping(source, path).items():
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


class _JsonObject(dict[str, Any]):
    duplicates: list[str]


def _json_object(pairs: list[tuple[str, Any]]) -> _JsonObject:
    result = _JsonObject()
    result.duplicates = []
    for key, value in pairs:
        if key in result:
            result.duplicates.append(key)
        else:
            result[key] = value
    return result


def _parse_json(text: str, source_name: str) -> tuple[Any, SourceMap, list[Issue]]:
    try:
        data = json.loads(text, object_pairs_hook=_json_object) if text.strip() else None
    except json.JSONDecodeError as error:
        raise ParseFailure(
            Problem(f"{source_name}:{error.lineno}:{error.colno}", f"not valid JSON: {error.msg}")
        ) from None
    issues: list[Issue] = []
    _json_duplicates(data, (), issues)
    return data, SourceMap(source_name), issues


def _json_duplicates(data: Any, path: Path, issues: list[Issue]) -> None:
    if isinstance(data, _JsonObject):
        for key in data.duplicates:
            issues.append(Issue((*path, key), "duplicate key", allowed="each key once per object"))
        for key, value in data.items():
            _json_duplicates(value, (*path, key), issues)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            _json_duplicates(item, (*path, index), issues)
