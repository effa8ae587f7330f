"""State safety: the shard map as a transaction, outputs that never overwrite inputs, kills
and interrupts at each step of a synth, concurrent synths of one file.

Kills are injected into a subprocess (a failure patched into the writer it runs), never into
the library: SIGKILL at a step leaves the map old or new, byte for byte, never a mix."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import warnings
from contextlib import closing
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml

import ecr_constructs.cli as cli
from ecr_constructs.cloud_assembly import read_template, stack_artifacts
from ecr_constructs.errors import ConfigError
from ecr_constructs.standards import RepositoryFleet, ShardMap
from ecr_constructs.standards.fleet import assembly_agreement
from ecr_constructs.standards.fleet.placement import shard_stack_name
from ecr_constructs.standards.fleet.shard_map_file import ShardMapBusyError, ShardMapFile

from .registry_files import small_registry

FOUR = ["aa", "bb", "cc", "dd"]
# A failure injected into the subprocess: SIGKILL when the patched function is called.
KILL = "import os, signal\ndef kill(*args, **kwargs):\n    os.kill(os.getpid(), signal.SIGKILL)\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def command(
    *argv: str, inject: str = "", wait: bool = True, cwd: Path | None = None
) -> subprocess.CompletedProcess[str] | subprocess.Popen[str]:
    """``ecr-constructs ARGV`` in a subprocess, after running ``inject`` there."""
    code = (
        f"{inject}\nimport sys\nfrom ecr_constructs.cli import main\nsys.exit(main(sys.argv[1:]))"
    )
    arguments = [sys.executable, "-c", code, *argv]
    if wait:
        return subprocess.run(arguments, capture_output=True, text=True, cwd=cwd, check=False)
    return subprocess.Popen(
        arguments,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        start_new_session=True,
    )


def tree(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` with its bytes."""
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def placement_in(assembly: Path) -> dict[str, str]:
    """Repository name -> the stack whose written template holds it."""
    found = {}
    for artifact in stack_artifacts(assembly):
        for resource in read_template(artifact.template_file)["Resources"].values():
            if resource["Type"] == "AWS::ECR::Repository":
                found[resource["Properties"]["RepositoryName"]] = artifact.display_name
    return found


def placement_of(map_file: Path) -> dict[str, str]:
    shard_map = ShardMap.read(map_file)
    assert shard_map is not None
    return {name: shard_stack_name("small", i) for name, i in shard_map.repositories.items()}


def leftovers(directory: Path) -> list[str]:
    """Temporary files and directories a transaction left behind."""
    return sorted(path.name for path in directory.iterdir() if path.name.startswith("."))


@pytest.fixture
def deployed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """A registry of four repositories synthesized once (map and assembly written), then
    edited to add a fifth: the next synth must change the map."""
    registry, out = tmp_path / "registry.yaml", tmp_path / "out"
    registry.write_text(small_registry(FOUR))
    assert run(capsys, "synth", str(registry), "-o", str(out))[0] == cli.EXIT_OK
    map_file = tmp_path / "registry.shards.json"
    state = {"map_bytes": map_file.read_bytes(), "out_tree": tree(out)}
    registry.write_text(small_registry([*FOUR, "ab"]))
    return {"registry": registry, "out": out, "map_file": map_file, **state}


# -- 1. the map written atomically: a kill at each step leaves the old map or the new ----------

MAP_WRITER_KILLS = {
    # step of atomic_files.replace_file -> whether the new map is in place after the kill
    "half the temporary file written": (
        "import ecr_constructs.atomic_files as target\n"
        "real = target.os.fdopen\n"
        "class Half:\n"
        "    def __init__(self, file): self.file = file\n"
        "    def __enter__(self): return self\n"
        "    def __exit__(self, *exc): return False\n"
        "    def write(self, data):\n"
        "        self.file.write(data[: len(data) // 2]); self.file.flush(); kill()\n"
        "target.os.fdopen = lambda *a, **k: Half(real(*a, **k))\n",
        False,
    ),
    "written, not fsynced": ("import os\nos.fsync = kill\n", False),
    "fsynced, not renamed": ("import os\nos.replace = kill\n", False),
    "renamed, directory not fsynced": (
        "import ecr_constructs.atomic_files as target\ntarget.sync_directory = kill\n",
        True,
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("step", MAP_WRITER_KILLS)
def test_a_kill_at_each_step_of_the_map_write_leaves_the_old_map_or_the_new(
    tmp_path: Path, step: str
) -> None:
    map_file = tmp_path / "registry.shards.json"
    old, new = ShardMap(repositories={"aa": 1}), ShardMap(repositories={"aa": 1, "bb": 2})
    map_file.write_text(old.to_json())
    inject, replaced = MAP_WRITER_KILLS[step]
    code = (
        KILL
        + inject
        + "import sys\nfrom ecr_constructs.standards import ShardMap\n"
        + "from ecr_constructs.standards.fleet.shard_map_file import ShardMapFile\n"
        + "ShardMapFile(sys.argv[1]).commit(ShardMap(repositories={'aa': 1, 'bb': 2}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(map_file)], check=False)
    assert result.returncode == -signal.SIGKILL
    assert map_file.read_text() == (new if replaced else old).to_json()
    with closing(ShardMapFile(map_file)) as reopened:  # the lock died with the process
        assert reopened.previous == (new if replaced else old)


def test_a_full_disk_leaves_the_map_unchanged_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    map_file = tmp_path / "registry.shards.json"
    map_file.write_text(ShardMap(repositories={"aa": 1}).to_json())
    before = map_file.read_bytes()

    def full(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("ecr_constructs.atomic_files.os.fsync", full)
    with closing(ShardMapFile(map_file)) as opened, pytest.raises(ConfigError) as caught:
        opened.commit(ShardMap(repositories={"aa": 1, "bb": 1}))
    assert str(caught.value) == (
        f"{map_file}: cannot write the shard map: No space left on device; it is unchanged "
        "(allowed: a writable directory with free space)"
    )
    assert map_file.read_bytes() == before
    assert leftovers(tmp_path) == []


# -- 2. locked: a second synth of one file is refused, or waits ---------------------------------


@pytest.mark.filterwarnings("ignore:no shard map found")
def test_a_second_fleet_on_one_map_is_refused_until_the_first_is_closed(tmp_path: Path) -> None:
    registry = tmp_path / "registry.yaml"
    registry.write_text(small_registry(FOUR))
    lock = tmp_path / "registry.shards.json.lock"
    first = RepositoryFleet.from_file(cdk.App(), registry)
    for timeout in (0.0, 0.2):
        with pytest.raises(ShardMapBusyError) as caught:
            RepositoryFleet.from_file(cdk.App(), registry, lock_timeout=timeout)
        assert str(caught.value) == (
            f"{lock}: another synth of this registry file holds the shard map's lock (process "
            f"{os.getpid()}) (allowed: retry when it has finished, or wait for it: --wait "
            "(lock_timeout=None))"
        )
    with warnings.catch_warnings(record=True) as caught_warnings:
        warnings.simplefilter("always")
        first.close()  # placed, never committed: said, not silent
    assert [str(w.message) for w in caught_warnings] == [
        f"the shard map {tmp_path / 'registry.shards.json'} was not written: the placement "
        "changed, so call fleet.commit_shard_map(app.synth()) once the app is synthesized"
    ]
    app = cdk.App()
    with RepositoryFleet.from_file(app, registry) as second:
        assert second.commit_shard_map(app.synth()) is True
    assert ShardMap.read(tmp_path / "registry.shards.json") == second.shard_map


HOLD_AT_COMMIT = (
    "import sys, time\nfrom pathlib import Path\n"
    "from ecr_constructs.standards.fleet.fleet import RepositoryFleet\n"
    "real = RepositoryFleet.commit_shard_map\n"
    "def held(self, assembly):\n"
    "    Path(sys.argv[-1]).with_name('held').touch()\n"
    "    while not Path(sys.argv[-1]).with_name('release').exists():\n"
    "        time.sleep(0.05)\n"
    "    return real(self, assembly)\n"
    "RepositoryFleet.commit_shard_map = held\n"
)


def wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    """Until ``path`` exists (or the process ended: the assertions that follow say why)."""
    while not path.exists() and process.poll() is None:
        time.sleep(0.05)


@pytest.mark.slow
def test_a_synth_holding_the_lock_refuses_a_second_and_one_that_waits_agrees_with_it(
    tmp_path: Path,
) -> None:
    registry, map_file = tmp_path / "registry.yaml", tmp_path / "registry.shards.json"
    registry.write_text(small_registry(FOUR))
    (tmp_path / "work").mkdir()
    first = command(
        "synth",
        str(registry),
        "-o",
        str(tmp_path / "work" / "a"),
        inject=HOLD_AT_COMMIT,
        wait=False,
    )
    assert isinstance(first, subprocess.Popen)
    wait_for(tmp_path / "work" / "held", first)
    # A repository added while the first synth holds the placement of the old file.
    registry.write_text(small_registry(["ab", *FOUR]))
    refused = command("synth", str(registry), "-o", str(tmp_path / "b"))
    assert refused.returncode == cli.EXIT_FAILURE
    assert refused.stderr.splitlines()[-1] == (
        f"{map_file}.lock: another synth of this registry file holds the shard map's lock "
        f"(process {first.pid}) (allowed: retry when it has finished, or wait for it: --wait "
        "(lock_timeout=None))"
    )
    waiting = command("synth", str(registry), "-o", str(tmp_path / "c"), "--wait", wait=False)
    assert isinstance(waiting, subprocess.Popen) and waiting.stderr is not None
    assert "building 5 repositories" in waiting.stderr.readline()
    (tmp_path / "work" / "release").touch()
    assert first.wait() == 0, first.communicate()
    assert waiting.wait() == 0, waiting.communicate()
    assert not (tmp_path / "b").exists()
    final = placement_of(map_file)
    assert set(final) == {"ab", *FOUR}
    for assembly in (tmp_path / "work" / "a", tmp_path / "c"):
        written = placement_in(assembly)
        assert written == {name: final[name] for name in written}


@pytest.mark.slow
def test_two_synths_started_together_refuse_cleanly_or_agree_with_the_final_map(
    tmp_path: Path,
) -> None:
    registry, map_file = tmp_path / "registry.yaml", tmp_path / "registry.shards.json"
    registry.write_text(small_registry(FOUR))
    racers = [
        command("synth", str(registry), "-o", str(tmp_path / f"out{i}"), wait=False)
        for i in range(2)
    ]
    results = [
        (racer.wait(), racer.communicate())
        for racer in racers
        if isinstance(racer, subprocess.Popen)
    ]
    assert {code for code, _ in results} <= {cli.EXIT_OK, cli.EXIT_FAILURE}
    assert cli.EXIT_OK in {code for code, _ in results}
    final = placement_of(map_file)
    for index, (code, (_, stderr)) in enumerate(results):
        if code == cli.EXIT_FAILURE:
            assert "another synth of this registry file holds the shard map's lock" in stderr
            assert not (tmp_path / f"out{index}").exists()
        else:
            assert placement_in(tmp_path / f"out{index}") == final


# -- 3. written last: a failing synth leaves the map byte-identical -------------------------------


def test_a_synth_failing_after_placement_leaves_the_map_and_the_output_as_they_were(
    deployed: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assembly_agreement, "MAX_TEMPLATE_BYTES", 1000)
    code, _, stderr = run(capsys, "synth", str(deployed["registry"]), "-o", str(deployed["out"]))
    assert code == cli.EXIT_INVALID
    assert "stack small: its template is larger than CloudFormation accepts" in stderr
    assert deployed["map_file"].read_bytes() == deployed["map_bytes"]
    assert tree(deployed["out"]) == deployed["out_tree"]
    assert leftovers(deployed["registry"].parent) == []


@pytest.mark.filterwarnings("ignore:no shard map found")
def test_a_map_is_committed_only_for_an_assembly_that_holds_the_fleet(tmp_path: Path) -> None:
    registry, map_file = tmp_path / "registry.yaml", tmp_path / "registry.shards.json"
    registry.write_text(small_registry(FOUR))
    other = cdk.App(outdir=str(tmp_path / "other"))
    cdk.Stack(other, "Unrelated")
    app = cdk.App(outdir=str(tmp_path / "out"))
    with (
        pytest.warns(UserWarning, match="was not written: the placement changed"),
        RepositoryFleet.from_file(app, registry) as fleet,
    ):
        with pytest.raises(ConfigError) as wrong:
            fleet.commit_shard_map(other.synth())
        assert str(wrong.value).splitlines() == [
            f"{tmp_path / 'other'}: the cloud assembly has no stack {name} (allowed: the "
            "assembly synthesized from this fleet (app.synth()))"
            for name in ("small", "small-2")
        ]
        assembly = app.synth()
        template = tmp_path / "out" / "small-2.template.json"
        document = json.loads(template.read_text())
        resources = document["Resources"]
        (cc,) = (k for k, r in resources.items() if r["Properties"].get("RepositoryName") == "cc")
        del resources[cc]
        template.write_text(json.dumps(document))
        with pytest.raises(ConfigError) as incomplete:
            fleet.commit_shard_map(assembly)
        assert str(incomplete.value) == (
            f"{template}: 1 repositories placed in stack small-2 are not in its template (cc) "
            "(allowed: the assembly synthesized from this fleet (app.synth()))"
        )
    assert not map_file.exists()


# -- 4. the map beside the real file; a fresh map said loudly ------------------------------------


def test_a_registry_file_reached_through_a_link_uses_the_map_beside_the_file(
    deployed: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "org.yaml").symlink_to(deployed["registry"])
    code, stdout, stderr = run(
        capsys, "synth", str(elsewhere / "org.yaml"), "-o", str(elsewhere / "out")
    )
    assert code == cli.EXIT_OK, stderr
    assert f"shard map {deployed['map_file']}: updated (1 added, 0 removed): commit it" in stdout
    assert not (elsewhere / "org.shards.json").exists()
    old = {name: stack for name, stack in placement_in(elsewhere / "out").items() if name in FOUR}
    assert old == placement_in(deployed["out"])


def test_a_renamed_copy_without_its_map_is_placed_from_scratch_loudly(
    deployed: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    copy = tmp_path / "copy.yaml"
    shutil.copy(deployed["registry"], copy)
    code, stdout, stderr = run(capsys, "synth", str(copy), "-o", str(tmp_path / "copy-out"))
    assert code == cli.EXIT_OK
    assert (
        f"warning: no shard map found at {tmp_path / 'copy.shards.json'}: placing 5 repositories "
        "from scratch in 3 stacks; if this registry was deployed before, restore its shard map "
        "first (or rebuild it from the deployed stacks: ecr-constructs shards recover)"
    ) in stderr.splitlines()
    assert f"shard map {tmp_path / 'copy.shards.json'}: written: commit it" in stdout


def test_a_map_that_is_a_link_is_replaced_where_it_leads(
    deployed: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    kept = tmp_path / "state"
    kept.mkdir()
    deployed["map_file"].rename(kept / "registry.shards.json")
    deployed["map_file"].symlink_to(kept / "registry.shards.json")
    code, stdout, _ = run(capsys, "synth", str(deployed["registry"]), "-o", str(deployed["out"]))
    assert code == cli.EXIT_OK
    assert f"shard map {kept / 'registry.shards.json'}: updated (1 added" in stdout
    assert deployed["map_file"].is_symlink()
    assert "ab" in placement_of(kept / "registry.shards.json")


def test_a_read_only_map_that_must_change_is_refused_before_synthesis(
    deployed: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    deployed["map_file"].chmod(0o444)
    shutil.rmtree(deployed["out"])
    code, _, stderr = run(capsys, "synth", str(deployed["registry"]), "-o", str(deployed["out"]))
    assert code == cli.EXIT_INVALID
    assert stderr.splitlines()[-2] == (
        f"{deployed['map_file']}: the shard map is read-only and must change (given "
        "'-r--r--r--'; allowed: make it writable, or ecr-constructs synth --locked (or "
        "locked=True), which reads the map only and fails when it is out of date)"
    )
    assert deployed["map_file"].read_bytes() == deployed["map_bytes"]
    assert not deployed["out"].exists()
    deployed["registry"].write_text(small_registry(FOUR))  # nothing to change: read-only is fine
    assert run(capsys, "synth", str(deployed["registry"]), "-o", str(deployed["out"]))[0] == 0
    assert stat.S_IMODE(deployed["map_file"].stat().st_mode) == 0o444


# -- 7. outputs never overwrite inputs ------------------------------------------------------


def test_an_output_that_would_replace_an_input_is_refused_and_nothing_is_touched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    registry = tmp_path / "tree.json"  # the name CDK gives its construct tree
    registry.write_text(json.dumps(yaml.safe_load(small_registry(FOUR))))
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    before = tree(tmp_path)
    cases = {
        ".": f".: the output directory holds {registry}, and synth replaces it whole (allowed: "
        "a directory that holds neither the registry file nor its shard map, such as cdk.out)",
        str(tmp_path.parent): f"{tmp_path.parent}: the output directory holds {registry}, and "
        "synth replaces it whole",
        "tree.json": "tree.json: the output is not a directory (allowed: a directory for the "
        "cloud assembly (-o DIR))",
        "notes": "notes: the output directory is not empty and not a cloud assembly (no "
        "manifest.json), and synth replaces it whole (allowed: a new or empty directory, or an "
        "earlier cloud assembly)",
    }
    for output, message in cases.items():
        code, stdout, stderr = run(capsys, "synth", "tree.json", "-o", output)
        assert (code, stdout) == (cli.EXIT_INVALID, "")
        assert stderr.startswith(message)
        assert len(stderr.splitlines()) == 1
    assert tree(tmp_path) == before


# -- 8. a kill during synth: the output directory is old or new, and check reads it ----------------

CLI_KILLS = {
    # where the synth is killed -> (map replaced, assembly replaced)
    "before the map is renamed": ("import os\nos.replace = kill\n", False, False),
    "between the map and the assembly": (
        "import ecr_constructs.cli.synth as target\ntarget.replace_directory = kill\n",
        True,
        False,
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("step", CLI_KILLS)
def test_a_synth_killed_at_each_commit_step_leaves_a_consistent_map_and_assembly(
    deployed: dict[str, Any], capsys: pytest.CaptureFixture[str], step: str
) -> None:
    inject, map_replaced, assembly_replaced = CLI_KILLS[step]
    registry, out, map_file = deployed["registry"], deployed["out"], deployed["map_file"]
    killed = command("synth", str(registry), "-o", str(out), inject=KILL + inject)
    assert killed.returncode == -signal.SIGKILL
    assert (map_file.read_bytes() != deployed["map_bytes"]) is map_replaced
    assert (tree(out) != deployed["out_tree"]) is assembly_replaced
    assert run(capsys, "check", str(out))[0] in (cli.EXIT_OK, cli.EXIT_FAILURE)  # readable
    old = placement_in(out)
    assert {name: placement_of(map_file)[name] for name in old} == old  # the map agrees
    code, stdout, _ = run(capsys, "synth", str(registry), "-o", str(out))  # and a rerun mends it
    assert code == cli.EXIT_OK
    assert ("unchanged" in stdout) is map_replaced
    assert placement_in(out) == placement_of(map_file)
    assert {name: placement_in(out)[name] for name in FOUR} == old


# -- 14. interrupts: one line, exit 130, and what it says is true ---------------------------------

INTERRUPT_IN_SYNTHESIS = (
    "import os, signal, time, aws_cdk\n"
    "real = aws_cdk.App.synth\n"
    "def synth(self, *args, **kwargs):\n"
    "    os.killpg(os.getpgrp(), signal.{signal})  # as Ctrl-C does: node receives it too\n"
    "    time.sleep(30)\n"
    "aws_cdk.App.synth = synth\n"
)


@pytest.mark.slow
@pytest.mark.parametrize("number", ["SIGINT", "SIGTERM"])
def test_an_interrupt_during_synthesis_writes_nothing_and_says_so_in_one_line(
    deployed: dict[str, Any], number: str
) -> None:
    registry, out = deployed["registry"], deployed["out"]
    process = command(
        "synth",
        str(registry),
        "-o",
        str(out),
        inject=INTERRUPT_IN_SYNTHESIS.format(signal=number),
        wait=False,
    )
    assert isinstance(process, subprocess.Popen)
    stdout, stderr = process.communicate()
    assert process.returncode == cli.EXIT_INTERRUPTED
    assert stdout == ""
    assert stderr.splitlines()[-1] == "interrupted; nothing was written"
    assert "Traceback" not in stderr and "Error" not in stderr
    assert deployed["map_file"].read_bytes() == deployed["map_bytes"]
    assert tree(out) == deployed["out_tree"]
    assert leftovers(registry.parent) == []


@pytest.mark.slow
def test_an_interrupt_while_the_map_and_assembly_are_committed_waits_for_both(
    deployed: dict[str, Any],
) -> None:
    inject = (
        "import os, signal\nimport ecr_constructs.cli.synth as target\n"
        "real = target.replace_directory\n"
        "def interrupted(*args):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    real(*args)\n"
        "target.replace_directory = interrupted\n"
    )
    registry, out, map_file = deployed["registry"], deployed["out"], deployed["map_file"]
    result = command("synth", str(registry), "-o", str(out), inject=inject)
    assert result.returncode == cli.EXIT_INTERRUPTED
    assert result.stderr.splitlines()[-1] == (
        f"interrupted after writing the cloud assembly {out} and the shard map {map_file}"
    )
    assert "ab" in placement_of(map_file)
    assert placement_in(out) == placement_of(map_file)


@pytest.mark.parametrize("exchange", [True, False], ids=["exchanged", "renamed aside"])
@pytest.mark.parametrize("existed", [True, False], ids=["replacing", "new"])
def test_a_directory_replaced_comes_back_whole_when_the_body_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool, existed: bool
) -> None:
    import ecr_constructs.atomic_files as atomic_files

    if not exchange:
        monkeypatch.setattr(atomic_files, "_exchange", lambda first, second: False)
    target, new = tmp_path / "logos", tmp_path / ".logos.new"
    if existed:
        target.mkdir()
        (target / "old.png").write_bytes(b"old")
    new.mkdir()
    (new / "new.png").write_bytes(b"new")
    with pytest.raises(OSError, match="the file"), atomic_files.directory_replaced(new, target):
        assert sorted(p.name for p in target.iterdir()) == ["new.png"]
        raise OSError("the file could not be written")
    assert sorted(p.name for p in tmp_path.iterdir()) == (["logos"] if existed else [])
    if existed:
        assert sorted(p.name for p in target.iterdir()) == ["old.png"]
    new.mkdir()
    (new / "new.png").write_bytes(b"new")
    with atomic_files.directory_replaced(new, target):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logos"]
    assert (target / "new.png").read_bytes() == b"new"
