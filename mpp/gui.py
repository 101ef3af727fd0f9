"""The ``gui-scripts`` entry points (mpp-kiosk, mpp-counter, mpp-monitor, mpp-display, mpp-demo).

Each one is ``mpp <subcommand>`` with the rest of the command line, so options, logging and the
one-line error handling are those of :func:`mpp.cli.main`. On Windows they start without a console
window; errors then reach the user through the log file (see ``mpp.cli``) and the window's own
message box.
"""

from __future__ import annotations

import sys


def _run(command: str) -> int:
    from mpp.cli import main

    return main([command, *sys.argv[1:]])


def kiosk() -> int:
    return _run("kiosk")


def counter() -> int:
    return _run("counter")


def monitor() -> int:
    return _run("monitor")


def display() -> int:
    return _run("display")


def demo() -> int:
    return _run("demo")
