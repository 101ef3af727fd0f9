"""The `mpp` command.

Headless commands (issue, call, status, simulate, ...) import no Qt and start fast; the window
commands (kiosk, counter, monitor, display, demo) import their UI only when run.

User errors print one line on stderr and exit non-zero; the database is left unchanged.

Every command logs to a rotating file in the user data dir (``antrian.paths.log_file()``, e.g.
``~/.local/share/antrian-mpp/logs/mpp.log``). An unexpected error (anything but a QueueError,
ConfigError or Ctrl+C), in the command itself, in a thread or in a Qt slot of a window, is written
there with its traceback; the user sees one line naming the file, and the command exits with
``EXIT_INTERNAL`` (70, EX_SOFTWARE of sysexits.h).

Exit codes: 0 done, 1-9 a QueueError's own code, 2 usage or configuration error, 70 unexpected
error (see the log file), 130 interrupted. Messages are forced to one line (control characters in
echoed input are escaped). State-changing commands log in first (mpp.cli_auth).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any, Callable, Sequence

from antrian.domain.errors import QueueError, UsageError

# The names other modules and tests use from here (moved to mpp.cli_common / mpp.cli_log / mpp.cli_queue
# when this module was split):
from mpp.cli_common import (  # noqa: F401
    FIRST_DAY,
    LAST_DAY,
    MAX_ID,
    MAX_TEXT,
    OFFICER_HELP,
    _Parser,
    check_day,
    check_text,
    context_from,
    emit,
    ticket_json,
)
from mpp.cli_log import (  # noqa: F401
    LOG_BACKUPS,
    LOG_FORMAT,
    LOG_MAX_BYTES,
    current_log_file,
    excepthooks,
    log,
    report_unexpected,
    setup_logging,
)

# Modules that add their own subcommands with add_commands(subparsers), in the order of `mpp --help`.
PLUGINS = ("mpp.cli_queue", "mpp.cli_kiosk", "mpp.cli_counter", "mpp.cli_display", "mpp.cli_web", "mpp.cli_booking",
           "mpp.cli_report", "mpp.cli_survey", "mpp.cli_doctor")

# Which module adds each command: `mpp issue` imports and builds only mpp.cli_queue's `issue` parser
# (building all 60 parsers costs more than the command itself). A command missing here still works
# (the whole parser is built); tests/integration/test_cli_split.py keeps this table complete.
COMMANDS = {
    **dict.fromkeys(("db", "catalogue", "issue", "call", "recall", "start", "finish", "no-show", "park", "unpark",
                     "call-number", "transfer", "cancel", "counter-open", "counter-pause", "counter-close",
                     "status", "events", "simulate", "demo"), "mpp.cli_queue"),
    **dict.fromkeys(("kiosk", "printer", "kiosk-pin"), "mpp.cli_kiosk"),
    **dict.fromkeys(("counter", "monitor", "user", "audit"), "mpp.cli_counter"),
    **dict.fromkeys(("display", "announce"), "mpp.cli_display"),
    **dict.fromkeys(("serve", "api-key", "notify"), "mpp.cli_web"),
    "booking": "mpp.cli_booking",
    **dict.fromkeys(("report", "skm", "survey-answer", "alerts", "devices"), "mpp.cli_report"),
    "survey": "mpp.cli_survey",
    "doctor": "mpp.cli_doctor",
}

EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE: an unexpected error, written to the log file with its traceback
EXIT_INTERRUPTED = 130
EXIT_DATABASE = 7  # StoreUnavailable's exit code

_VALUED_GLOBALS = ("--db", "--config", "--station")


# ----------------------------------------------------------------------------- parser


def _add_globals(p: argparse.ArgumentParser, top: bool) -> None:
    """The global options, accepted before or after the subcommand (`mpp issue X --json`)."""
    d: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    options: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
        (("--db",), dict(help="database URL (env MPP_DB_URL; default: SQLite file in the user data dir)")),
        (("--config",), dict(help="hall catalogue TOML (env MPP_CONFIG; default: the bundled Kota Tangerang hall)")),
        (("--station",), dict(help="station config TOML (env MPP_STATION)")),
        (("--json",), dict(action="store_true", help="machine-readable output")),
        (("-v", "--verbose"), dict(action="store_true", help="log more")),
    )
    for names, kw in options:
        if not any(n in p._option_string_actions for n in names):
            p.add_argument(*names, **kw, **d)


def _spread_globals(p: argparse.ArgumentParser) -> None:
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in set(action.choices.values()):
                _add_globals(child, top=False)
                _spread_globals(child)


class _Skipped:
    """Stands in for the parser of a command that is not being run: takes every call and ignores it."""

    def __getattr__(self, name: str) -> Any:
        return self._ignore

    def _ignore(self, *args: Any, **kwargs: Any) -> _Skipped:
        return self


class _OnlyCommand:
    """The subparsers action as a command module sees it, building the parser of one command only."""

    def __init__(self, sub: Any, command: str) -> None:
        self._sub, self._command = sub, command

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if name == self._command:
            return self._sub.add_parser(name, **kwargs)
        return _Skipped()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sub, name)


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs when it is plainly one of COMMANDS (after the global options), else
    None: `mpp --help`, no command, an unknown or abbreviated option before it."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _VALUED_GLOBALS:
            skip = True
        elif arg in ("--json", "-v", "--verbose") or arg.split("=", 1)[0] in _VALUED_GLOBALS and "=" in arg:
            continue
        else:
            return arg if arg in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The `mpp` parser. With ``argv`` naming one command (see chosen_command), only that command's
    module is imported and only its parser is built; otherwise every command is there."""
    p = _Parser(prog="mpp", description="Antrian MPP: queue system for a Mal Pelayanan Publik.",
                epilog="Exit status: 0 done, 1 refused by the queue rules, 2 usage or configuration error, "
                       "3 nobody waiting, 4 service closed or quota full, 5 not possible in this state, "
                       "6 ticket or user not found, 7 database unavailable, 8 login refused, 9 printer failed, "
                       "70 unexpected error (traceback in the log file <data dir>/logs/mpp.log), 130 interrupted. "
                       "State-changing commands log in: MPP_USER / MPP_PIN, or asked on the terminal.")
    _add_globals(p, top=True)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    only = chosen_command(argv) if argv is not None else None
    for name in PLUGINS if only is None else (COMMANDS[only],):
        try:
            mod = importlib.import_module(name)
        except ImportError as exc:
            if exc.name != name:
                raise
            continue
        mod.add_commands(sub if only is None else _OnlyCommand(sub, only))
    _spread_globals(p)
    return p


def one_line(text: str) -> str:
    """A message as exactly one line: typed or scanned text inside it may hold line breaks or
    other control characters; they are shown escaped (``\\n``)."""
    breaks = "\x7f\x85\u2028\u2029"
    return "".join(ch if (ch >= " " or ch == "\t") and ch not in breaks else ascii(ch)[1:-1]
                   for ch in text).replace("\t", " ")


def _database_refusal(e: BaseException) -> tuple[int, str] | None:
    """A value the database refused (too long, out of range) or a damaged database file, as
    (exit code, one line); None for anything else."""
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import DataError, DatabaseError

    if not isinstance(e, DatabaseError):
        return None
    reason = (str(getattr(e, "orig", "") or "").strip().splitlines() or [type(e).__name__])[0]
    if isinstance(e, DataError):
        return EXIT_USAGE, f"the database refused a value ({reason}); nothing was changed"
    if "malformed" in reason or "not a database" in reason:
        return EXIT_DATABASE, f"the database file is damaged ({reason}); restore it from a backup"
    return None


def main(argv: Sequence[str] | None = None, *, window_hooks: Sequence[Callable[[str, Any], None]] = ()) -> int:
    """Run one `mpp` command. ``window_hooks`` are called with (kind, window) when a station
    window is built; the console script passes none (tests inject their driver this way)."""
    from antrian.config_base import ConfigError

    argv = list(sys.argv[1:] if argv is None else argv)
    where = "`mpp " + " ".join(argv[:2]) + "`" if argv else "`mpp`"
    try:
        parser = build_parser(argv)
        args = parser.parse_args(argv)
        args._window_hooks = tuple(window_hooks)
        setup_logging(verbose=args.verbose)
        if not getattr(args, "func", None):
            if getattr(args, "command", None):  # a group without its action, e.g. `mpp db`
                raise UsageError(f"`mpp {args.command}` needs an action (see `mpp {args.command} --help`)")
            parser.print_help()
            print("mpp: give a command (see `mpp --help`)", file=sys.stderr)
            return EXIT_USAGE
        with excepthooks(where):
            try:
                return int(args.func(args) or 0)
            finally:
                ctx = getattr(args, "_ctx", None)
                if ctx is not None:
                    ctx.close()
    except QueueError as e:
        print(f"mpp: {one_line(str(e))}", file=sys.stderr)
        return e.exit_code
    except ConfigError as e:
        print(f"mpp: {one_line(str(e))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("mpp: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    except Exception as e:  # unexpected: traceback to the log file, one line to the user
        known = _database_refusal(e)
        if known is not None:  # a safety net: the edge checks should have caught it first
            log.error("database refused the command", exc_info=e, extra={"file_only": True})
            print(f"mpp: {one_line(known[1])}", file=sys.stderr)
            return known[0]
        if current_log_file() is None:
            setup_logging()
        report_unexpected(type(e), e, e.__traceback__, where)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
