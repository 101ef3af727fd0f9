"""Logging of the `mpp` command: a rotating log file in the user data dir and one-line warnings
on stderr; an unexpected error (main thread, Qt slot or another thread) is written to the file
with its traceback while the user sees one line naming the file."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import sys
import threading
from pathlib import Path
from typing import Any

LOG_MAX_BYTES = 2_000_000
LOG_BACKUPS = 5
LOG_FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger("mpp")


class _StderrHandler(logging.StreamHandler):
    """Warnings on stderr, one line each: never a traceback (those go to the log file only).
    Looks up ``sys.stderr`` at each record, so a replaced stderr (tests, pythonw) is followed."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "file_only", False) or sys.stderr is None:  # pythonw: no console
            return
        self.stream = sys.stderr
        if record.exc_info or record.stack_info:
            record = logging.makeLogRecord(record.__dict__ | {"exc_info": None, "exc_text": None,
                                                              "stack_info": None})
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:  # stderr gone: nothing to tell
        pass


class _LogFileHandler(logging.handlers.RotatingFileHandler):
    """The rotating log file. Several `mpp` processes (the demo's windows) share it: a rollover
    another process got to first (on Windows the file is then still open elsewhere) is skipped,
    and a failed write is dropped rather than printed to the user as a traceback."""

    def doRollover(self) -> None:
        try:
            super().doRollover()
        except OSError:
            if self.stream is None:
                self.stream = self._open()

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def setup_logging(verbose: bool = False) -> Path | None:
    """Log to the rotating file ``paths.log_file()`` and (warnings, one line) to stderr.

    Idempotent: a second call adjusts the levels and, if the data dir changed, moves the file
    handler. Returns the log file, or None when it cannot be written (then stderr only)."""
    from antrian import paths

    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    ours = [h for h in root.handlers if getattr(h, "_mpp", False)]
    stderr_h = next((h for h in ours if isinstance(h, _StderrHandler)), None)
    if stderr_h is None:
        stderr_h = _StderrHandler()
        stderr_h._mpp = True  # type: ignore[attr-defined]
        root.addHandler(stderr_h)
    stderr_h.setLevel(logging.INFO if verbose else logging.WARNING)
    try:
        target = paths.log_file()
    except paths.DataDirError:  # the command says so itself if it needs the data dir: no second line
        return None
    except OSError as e:
        log.warning("no log file (%s); logging to stderr only", e)
        return None
    for h in ours:
        if isinstance(h, logging.handlers.RotatingFileHandler):
            if Path(h.baseFilename) == target.absolute():
                return target
            root.removeHandler(h)
            h.close()
    try:
        file_h = _LogFileHandler(target, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8",
                                 delay=True)
    except OSError as e:
        log.warning("cannot write the log file %s (%s); logging to stderr only", target, e)
        return None
    file_h._mpp = True  # type: ignore[attr-defined]
    file_h.setLevel(logging.DEBUG if verbose else logging.INFO)
    file_h.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(file_h)
    return target


def current_log_file() -> Path | None:
    """The file the `mpp` log handler writes to (None before setup_logging or without one)."""
    for h in logging.getLogger().handlers:
        if getattr(h, "_mpp", False) and isinstance(h, logging.handlers.RotatingFileHandler):
            return Path(h.baseFilename)
    return None


def report_unexpected(exc_type: type[BaseException], exc: BaseException, tb: Any, where: str = "mpp") -> str:
    """Log an unexpected error with its traceback (file only) and print ONE line on stderr naming
    the log file. Returns that line. Used by main(), sys.excepthook and threading.excepthook."""
    log.error("unexpected error in %s", where, exc_info=(exc_type, exc, tb), extra={"file_only": True})
    logfile = current_log_file()
    detail = f"details in {logfile}" if logfile else "no log file could be written"
    summary = f"{exc_type.__name__}: {exc}".splitlines()[0] if str(exc) else exc_type.__name__
    line = f"mpp: unexpected error ({summary}); {detail}"
    if sys.stderr is not None:
        with contextlib.suppress(Exception):
            print(line, file=sys.stderr, flush=True)
    if "PySide6.QtWidgets" in sys.modules:  # a window is up: say it there too (no console on Windows)
        with contextlib.suppress(Exception):
            from qtshared.common import show_unexpected_error

            show_unexpected_error(line)
    return line


@contextlib.contextmanager
def excepthooks(where: str = "mpp"):
    """Route uncaught exceptions (main thread, Qt slots, other threads) to report_unexpected while
    a command runs; restore the previous hooks after. A hook someone else installed (pytest-qt)
    is still called after ours, so tests keep seeing errors in slots."""
    prev_sys, prev_thread = sys.excepthook, threading.excepthook

    def sys_hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            prev_sys(exc_type, exc, tb)
            return
        report_unexpected(exc_type, exc, tb, where)
        if prev_sys is not sys.__excepthook__:
            prev_sys(exc_type, exc, tb)

    def thread_hook(hook_args):
        if hook_args.exc_type is SystemExit:
            return
        name = hook_args.thread.name if hook_args.thread else "a thread"
        report_unexpected(hook_args.exc_type, hook_args.exc_value, hook_args.exc_traceback, f"{where} ({name})")
        if prev_thread is not threading.__excepthook__:
            prev_thread(hook_args)

    sys.excepthook, threading.excepthook = sys_hook, thread_hook
    try:
        yield
    finally:
        sys.excepthook, threading.excepthook = prev_sys, prev_thread
