"""Reads spread over a bounded pool of threads (``Connection.workers``), results in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[int, int], None]
"""Called with (items read, items in all) as each item is read."""


def read_each(
    workers: int,
    read: Callable[[T], R],
    items: Sequence[T],
    *,
    progress: Progress | None = None,
) -> list[R]:
    """``read(item)`` for every item, by at most ``workers`` threads, in the items' order.

    The first exception raised by a read stops the run: the reads not started are
    cancelled and it is raised here. ``progress`` (default: silent) is called as each read
    finishes.
    """
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(read, item) for item in items]
        try:
            _wait(futures, progress)
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    return [future.result() for future in futures]


def _wait(futures: list[Future[R]], progress: Progress | None) -> None:
    for done, future in enumerate(as_completed(futures), start=1):
        future.result()  # the first failure that stops the run is raised here
        if progress is not None:
            progress(done, len(futures))
