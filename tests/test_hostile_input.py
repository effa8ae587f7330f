"""Hostile files meet exit 2 and one clear line, in bounded time and memory.

Each case runs the command in a subprocess under resource limits (address space, CPU time and
a wall-clock alarm, all set in the child): a file that expanded without limit, recursed, or
blocked forever would end it by signal instead of exit 2."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

MEMORY_BYTES = 1 << 30
CPU_SECONDS = 30
WALL_SECONDS = 120  # a FIFO blocks without using CPU: the alarm ends a hang

Setup = Callable[[Path], list[str]]
"""Writes the hostile files into a directory; returns the command's arguments."""


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    signal.alarm(WALL_SECONDS)


def registry(directory: Path, text: str | bytes, name: str = "registry.yaml") -> list[str]:
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return ["validate", str(path)]


ALIAS_BOMB = "version: 1\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)
"""The classic "billion laughs": 9 levels of 9 aliases, 9**9 values from under 400 bytes."""


def fifo_registry(directory: Path) -> list[str]:
    os.mkfifo(directory / "registry.yaml")
    return ["validate", str(directory / "registry.yaml")]


def zero_registry(directory: Path) -> list[str]:
    (directory / "registry.yaml").symlink_to("/dev/zero")
    return ["validate", str(directory / "registry.yaml")]


def huge_registry(directory: Path) -> list[str]:
    with (directory / "registry.yaml").open("wb") as file:
        file.truncate(70_000_000)  # sparse: nothing is written, nothing need be read
    return ["validate", str(directory / "registry.yaml")]


def assembly(directory: Path, manifest: bytes, template: bytes | None = None) -> list[str]:
    (directory / "manifest.json").write_bytes(manifest)
    if template is not None:
        (directory / "app.template.json").write_bytes(template)
    return ["check", str(directory)]


STACK_MANIFEST = json.dumps(
    {
        "artifacts": {
            "App": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "app.template.json"},
            }
        }
    }
).encode()
SMALL_REGISTRY = yaml.safe_dump(
    {
        "version": 1,
        "repositories": [{"name": "aa"}, {"name": "bb"}],
        "deployment": {"stack_name": "small"},
    }
)


def with_map(directory: Path, write: Callable[[Path], None]) -> list[str]:
    (directory / "registry.yaml").write_text(SMALL_REGISTRY)
    write(directory / "registry.shards.json")
    return ["synth", str(directory / "registry.yaml"), "-o", str(directory / "out")]


MAP_HEAD = '{\n "version": 1,\n "repositories": {\n'
# (case, setup, the problem line printed, with {d} for the directory)
CASES: list[tuple[str, Setup, str]] = [
    (
        "YAML alias bomb",
        lambda d: registry(d, ALIAS_BOMB),
        "{d}/registry.yaml:7: f[0]: aliases (*name) repeat more than 100,000 values "
        "(allowed: at most 100,000 values repeated through aliases and merge keys in one file)",
    ),
    (
        "recursive merge key",
        lambda d: registry(d, "version: 1\ndefaults: &a {<<: *a}\n"),
        "{d}/registry.yaml:2: defaults: recursive YAML alias",
    ),
    (
        "YAML nested 500 deep",
        lambda d: registry(d, "version: 1\nx: " + "[" * 500 + "]" * 500 + "\n"),
        "{d}/registry.yaml:2: x[0][0][0][0][0]...: nests mappings and lists more than 100 "
        "deep (allowed: at most 100)",
    ),
    (
        "JSON nested 500 deep",
        lambda d: registry(d, '{"x": ' + "[" * 500 + "]" * 500 + "}", "registry.json"),
        "{d}/registry.json:1:106: nests arrays and objects more than 100 deep "
        "(allowed: at most 100)",
    ),
    (
        "registry file that is a FIFO",
        fifo_registry,
        "{d}/registry.yaml: is not a regular file (given 'a FIFO (named pipe)'; "
        "allowed: a regular file)",
    ),
    (
        "registry file linked to /dev/zero",
        zero_registry,
        "{d}/registry.yaml: is not a regular file (given 'a character device'; "
        "allowed: a regular file)",
    ),
    (
        "registry file of 70 MB",
        huge_registry,
        "{d}/registry.yaml: is too large to read (given '70,000,000 bytes'; "
        "allowed: at most 67,108,864 bytes)",
    ),
    (
        "registry file in Latin-1",
        lambda d: registry(d, b"version: 1\nrepositories: [{name: caf\xe9}]\n"),
        "{d}/registry.yaml:2:26: is not UTF-8 text (byte 0xe9 at offset 36) "
        "(allowed: YAML text in UTF-8)",
    ),
    (
        "truncated manifest",
        lambda d: assembly(d, b'{"artifacts": {'),
        "{d}/manifest.json:1:16: is not valid JSON: Expecting property name enclosed in double "
        "quotes (given '{{\"artifacts\": {{'; allowed: JSON text (RFC 8259))",
    ),
    (
        "manifest not in UTF-8",
        lambda d: assembly(d, b'{"artifacts": "\xff"}'),
        "{d}/manifest.json:1:16: is not UTF-8 text (byte 0xff at offset 15) "
        "(allowed: JSON text in UTF-8)",
    ),
    (
        "manifest that is a list",
        lambda d: assembly(d, b"[]"),
        "{d}/manifest.json: expected a JSON object (given 'list')",
    ),
    (
        "missing template",
        lambda d: assembly(d, STACK_MANIFEST),
        "{d}/app.template.json: cannot read: No such file or directory",
    ),
    (
        "template that is a string",
        lambda d: assembly(d, STACK_MANIFEST, b'"Resources"'),
        "{d}/app.template.json: expected a JSON object (given 'str')",
    ),
    (
        "empty template beside its manifest",
        lambda d: assembly(d, STACK_MANIFEST, b""),
        "{d}/app.template.json:1:1: is not valid JSON: Expecting value "
        "(given ''; allowed: JSON text (RFC 8259))",
    ),
    (
        "shard map not in UTF-8",
        lambda d: with_map(d, lambda m: m.write_bytes(MAP_HEAD.encode() + b'  "\xe9": 1}}')),
        "{d}/registry.shards.json:4:4: is not UTF-8 text (byte 0xe9 at offset 39) "
        "(allowed: JSON text in UTF-8)",
    ),
    (
        "shard map that is a directory",
        lambda d: with_map(d, lambda m: m.mkdir()),
        "{d}/registry.shards.json: is not a regular file (given 'a directory'; "
        "allowed: a regular file)",
    ),
    (
        "shard map that is a FIFO",
        lambda d: with_map(d, os.mkfifo),
        "{d}/registry.shards.json: is not a regular file (given 'a FIFO (named pipe)'; "
        "allowed: a regular file)",
    ),
    (
        "shard map linked to a lost file",
        lambda d: with_map(d, lambda m: m.symlink_to(d / "lost.json")),
        "{d}/registry.shards.json: the shard map is a symbolic link to a file that does not "
        "exist (given '{d}/lost.json'; allowed: restore the file it links to (or remove the "
        "link if this registry was never deployed))",
    ),
    (
        "stack number 1e200",
        lambda d: with_map(d, lambda m: m.write_text(MAP_HEAD + '  "aa": 1e200}}')),
        "{d}/registry.shards.json repositories['aa']: not a stack number (given 1e+200; "
        "allowed: a whole number from 1 to 999)",
    ),
    (
        "repository given twice in the map",
        lambda d: with_map(d, lambda m: m.write_text(MAP_HEAD + '  "aa": 1,\n  "aa": 2}}')),
        "{d}/registry.shards.json:5:3: duplicate key 'aa' in repositories (first at line 4) "
        "(allowed: each key once per object)",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("case", "setup", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hostile_input_is_exit_2_and_one_line_within_limits(
    case: str, setup: Setup, expected: str, tmp_path: Path
) -> None:
    arguments = setup(tmp_path)
    lines = refused(arguments)
    problem = expected.format(d=tmp_path)
    if arguments[0] == "check":
        assert lines == [problem]
    else:  # the problem, then the count of problems in the file
        assert lines[-2:] == [problem, f"{arguments[1]}: 1 problem"]
    assert not (tmp_path / "out").exists()


REGISTRY_CASES = [case for case in CASES if case[0].startswith(("YAML", "JSON", "registry"))]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("case", "setup", "expected"), REGISTRY_CASES, ids=[c[0] for c in REGISTRY_CASES]
)
def test_hostile_registry_files_stop_lifecycle_simulate_before_any_aws_call(
    case: str, setup: Setup, expected: str, tmp_path: Path
) -> None:
    command, path = setup(tmp_path)
    assert command == "validate"
    # No credentials and an endpoint that refuses connections: a call would fail otherwise.
    lines = refused(
        ["lifecycle", "simulate", "--file", path],
        AWS_ENDPOINT_URL="http://127.0.0.1:9",
        AWS_REGION="eu-west-1",
    )
    assert lines[-2:] == [expected.format(d=tmp_path), f"{path}: 1 problem"]


def refused(arguments: list[str], **environment: str) -> list[str]:
    """Runs the command under the limits; asserts exit 2, nothing on stdout and no traceback;
    returns the lines of stderr that are not indented (the problems and their count)."""
    result = subprocess.run(
        [sys.executable, "-m", "ecr_constructs", *arguments],
        capture_output=True,
        text=True,
        preexec_fn=limited,
        check=False,
        env={**os.environ, **environment},
    )
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return [line for line in result.stderr.splitlines() if not line.startswith("  ")]
