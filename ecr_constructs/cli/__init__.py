"""`ecr-constructs`: validate and synthesize registry files; validate and simulate lifecycle
policies; check any synthesized CDK app's repositories against the standard; import a live
account into a registry file and audit an account against its file.

Exit codes: 0 success, 2 invalid input (every problem printed, one per line), 1 any other
failure (for example AWS credentials or access), 130 interrupted (Ctrl-C or SIGTERM: one line
saying what was written, never a traceback). ``audit`` answers a question instead: 0 the
account matches its file, 1 it differs, 2 it could not tell (any error).
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

from ..errors import EcrConstructsError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INVALID = 2
EXIT_INTERRUPTED = 130
NOTHING_WRITTEN = "interrupted; nothing was written"

# Each module defines `register(subparsers)`, adding its commands with `set_defaults(run=...)`;
# `run(args) -> int` returns the exit code.
COMMAND_MODULES: tuple[str, ...] = (
    "ecr_constructs.cli.registry",
    "ecr_constructs.cli.synth",
    "ecr_constructs.cli.shards",
    "ecr_constructs.cli.lifecycle",
    "ecr_constructs.cli.compliance",
    "ecr_constructs.cli.live",
)


class Interrupted(Exception):
    """An interrupt after a command wrote something; the message says what."""


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """``1 repository``, ``2 repositories``."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecr-constructs",
        description="Amazon ECR registries as code: validate, synthesize, simulate.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    with _interrupts() as interrupts:
        try:
            args = build_parser().parse_args(argv)
            code: int = args.run(args)
        except Interrupted as error:
            return interrupts.report(str(error))
        except KeyboardInterrupt:
            return interrupts.report(NOTHING_WRITTEN)
        except EcrConstructsError as error:
            print(str(error), file=sys.stderr)
            return EXIT_INVALID
        except Exception:
            if not interrupts.received:
                raise
            # An interrupt also stops the CDK's node process: what fails next is its echo.
            return interrupts.report(NOTHING_WRITTEN)
    return code


class _Interrupts:
    """SIGINT and SIGTERM, while a command runs."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self.stderr: TextIO = sys.stderr
        self.holding = 0
        self.pending = False

    def handle(self, number: int, frame: FrameType | None) -> None:
        """Raise ``KeyboardInterrupt`` (once the steps held together are done), and silence
        stderr from now on: the signal stopped the CDK's node process too, whose last words
        (and jsii's, closing its pipe at exit) are noise after the line ``report`` prints."""
        self.received.append(number)
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (open until the process ends)
        if self.holding:
            self.pending = True
            return
        raise KeyboardInterrupt

    def report(self, message: str) -> int:
        print(message, file=self.stderr)
        return EXIT_INTERRUPTED


_running: list[_Interrupts] = []


@contextmanager
def _interrupts() -> Iterator[_Interrupts]:
    """SIGINT and SIGTERM raise ``KeyboardInterrupt`` inside (in the main thread)."""
    interrupts = _Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield interrupts
        return
    handlers = {number: signal.signal(number, interrupts.handle) for number in _SIGNALS}
    _running.append(interrupts)
    try:
        yield interrupts
    finally:
        _running.remove(interrupts)
        for number, handler in handlers.items():
            signal.signal(number, handler)


@contextmanager
def interrupts_held() -> Iterator[None]:
    """An interrupt arriving inside is raised when the block has finished: its steps are
    done together, or (when it raises) as far as they got."""
    if not _running:
        yield
        return
    interrupts = _running[-1]
    interrupts.holding += 1
    try:
        yield
    finally:
        interrupts.holding -= 1
    if interrupts.pending and not interrupts.holding:
        interrupts.pending = False
        raise KeyboardInterrupt


_SIGNALS = (signal.SIGINT, signal.SIGTERM)
