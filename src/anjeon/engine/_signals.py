"""Ctrl-C for a process that asked for it (the CLI): the first SIGINT/SIGTERM stops the
work cleanly, a second leaves at once (the store is consistent after every batch)."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def interrupt_on_signals(interrupt: Callable[[], None], enabled: bool = True) -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM call ``interrupt`` (a second one exits 130).
    Installs nothing when not enabled or where the loop cannot (not the main thread)."""
    loop = asyncio.get_running_loop()
    hits = 0

    def stop() -> None:
        nonlocal hits
        hits += 1
        if hits > 1:
            os._exit(130)
        interrupt()

    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM) if enabled else ():
        try:
            loop.add_signal_handler(sig, stop)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread (tests) or no signal support
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
