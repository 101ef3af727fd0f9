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
import json
import contextlib
import logging
import logging.handlers
import sys
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Sequence

from antrian.domain.errors import QueueError, UsageError

# Modules that add their own subcommands with add_commands(subparsers).
PLUGINS = ("mpp.cli_kiosk", "mpp.cli_counter", "mpp.cli_display", "mpp.cli_web", "mpp.cli_booking",
           "mpp.cli_report", "mpp.cli_survey", "mpp.cli_doctor")

EXIT_USAGE = 2
OFFICER_HELP = ("log in as this account (default: env MPP_USER, else asked); the PIN is asked without echo "
                "or read from env MPP_PIN; the account is recorded in the audit trail")
EXIT_INTERNAL = 70  # EX_SOFTWARE: an unexpected error, written to the log file with its traceback
EXIT_INTERRUPTED = 130

LOG_MAX_BYTES = 2_000_000
LOG_BACKUPS = 5
LOG_FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s"

log = logging.getLogger("mpp")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump on stderr noise
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _json_default(o: Any):
    if isinstance(o, (datetime, date)):
        return o.isoformat()
    if hasattr(o, "value"):
        return o.value
    return str(o)


def emit(args, data: Any, text: str | None = None) -> None:
    """Print ``data`` as JSON with --json, else ``text`` (or a plain rendering)."""
    if getattr(args, "json", False):
        print(json.dumps(data, default=_json_default, ensure_ascii=False, indent=None))
    elif text is not None:
        print(text)
    else:
        print(data)


def context_from(args):
    from antrian.bootstrap import build_context

    ctx = getattr(args, "_ctx", None)
    if ctx is None:
        ctx = build_context(db=args.db, config=args.config, station=args.station)
        ctx.window_hooks = tuple(getattr(args, "_window_hooks", ()))
        args._ctx = ctx
    return ctx


def ticket_json(ticket, hall) -> dict:
    service = hall.service(ticket.service_code)
    agency = hall.agency(ticket.agency_code)
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": service.code,
        "service_name": service.name,
        "agency": agency.code,
        "agency_name": agency.name,
        "priority": ticket.priority,
        "status": ticket.status.value,
        "counter": ticket.counter_code,
        "issued_at": ticket.issued_at,
        "arrival_at": ticket.arrival_at,
        "called_at": ticket.called_at,
        "recall_count": ticket.recall_count,
        "token": ticket.token,
    }


# ----------------------------------------------------------------------------- core commands


def cmd_db_upgrade(args) -> int:
    from antrian.storage.db import redact, upgrade

    ctx = context_from(args)
    rev = upgrade(ctx.db_url)
    emit(args, {"database": redact(ctx.db_url), "revision": rev}, f"database {redact(ctx.db_url)} is at revision {rev}")
    return 0


def cmd_db_current(args) -> int:
    from antrian.storage.db import _make_engine, current_revision, redact

    ctx = context_from(args)
    engine = _make_engine(ctx.db_url, immediate=False)
    try:
        from sqlalchemy.exc import DBAPIError

        try:
            rev = current_revision(engine)
        except DBAPIError as e:
            from antrian.storage.db import _unavailable

            raise _unavailable(ctx.db_url, e) from None
    finally:
        engine.dispose()
    emit(args, {"database": redact(ctx.db_url), "revision": rev}, f"{redact(ctx.db_url)}: {rev or 'no schema (run `mpp db upgrade`)'}")
    return 0


def cmd_catalogue(args) -> int:
    ctx = context_from(args)
    hall = ctx.hall
    if args.json:
        data = {
            "hall": {"name": hall.name, "city": hall.city, "timezone": hall.timezone},
            "agencies": [
                {
                    "code": a.code, "name": a.name, "short_name": a.short_name, "spoken_name": a.spoken_name,
                    "prefix": a.prefix, "colour": a.colour, "counters": list(a.counter_codes),
                    "services": [
                        {"code": s.code, "name": s.name, "name_en": s.name_en, "quota": s.quota,
                         "service_minutes": s.service_minutes, "target_wait_minutes": s.target_wait_minutes,
                         "hours": {d: [sp.label() for sp in s.hours.days[i]]
                                   for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}}
                        for s in hall.services_of(a.code)
                    ],
                }
                for a in hall.agencies
            ],
            "counters": [
                {"code": c.code, "name": c.name, "agency": c.agency_code, "services": list(c.service_codes)}
                for c in hall.counters
            ],
        }
        emit(args, data)
        return 0
    print(f"{hall.name} ({hall.city}, {hall.timezone})")
    for a in hall.agencies:
        lokets = ", ".join(a.counter_codes)
        print(f"\n[{a.prefix}] {a.name}  (code {a.code}; loket {lokets})")
        for s in hall.services_of(a.code):
            quota = f"quota {s.quota}" if s.quota else "no quota"
            print(f"    {s.code:<28} {s.name}  ({quota}, ~{s.service_minutes:g} min, target wait {s.target_wait_minutes} min)")
    return 0


def cmd_issue(args) -> int:
    ctx = context_from(args)
    issued = ctx.queue.issue(args.service, priority=args.priority)
    t = issued.ticket
    data = ticket_json(t, ctx.hall) | {"ahead": issued.ahead, "eta_minutes": issued.eta_minutes, "qr": issued.qr_text}
    emit(args, data, f"{t.number}  {ctx.hall.service(t.service_code).name}  ahead {issued.ahead}, ~{issued.eta_minutes} min")
    return 0


def _counter_action(name: str):
    def handler(args) -> int:
        from mpp.cli_auth import ANY_ROLE, login

        if name == "transfer" and not (args.to_service or args.to_counter):
            raise UsageError("transfer needs --to-service SERVICE or --to-counter COUNTER")
        ctx = context_from(args)
        q = ctx.queue
        officer = login(args, ctx, ANY_ROLE, f"`mpp {name}`", counter=args.counter).username
        fn = {
            "call": lambda: q.call_next(args.counter, officer=officer),
            "recall": lambda: q.recall(args.counter, officer=officer),
            "start": lambda: q.start(args.counter, officer=officer),
            "finish": lambda: q.finish(args.counter, officer=officer),
            "no-show": lambda: q.no_show(args.counter, officer=officer),
            "park": lambda: q.park(args.counter, officer=officer),
            "unpark": lambda: q.unpark(args.counter, args.ticket, officer=officer),
            "call-number": lambda: q.call_number(args.counter, args.ticket, officer=officer),
            "transfer": lambda: q.transfer(args.counter, to_service=args.to_service, to_counter=args.to_counter,
                                           officer=officer),
        }[name]
        t = fn()
        emit(args, ticket_json(t, ctx.hall), f"{name}: {t.number} at counter {t.counter_code or args.counter} ({t.status.value})"
             if name != "transfer" else f"transferred: {t.number} now waits for {t.service_code}"
             + (f" at counter {t.target_counter}" if t.target_counter else ""))
        return 0

    return handler


def cmd_cancel(args) -> int:
    from mpp.cli_auth import SUPERVISOR, login

    check_text(args.reason, "--reason")
    ctx = context_from(args)
    officer = login(args, ctx, SUPERVISOR, "`mpp cancel`").username
    t = ctx.queue.cancel(args.ticket, officer=officer, reason=args.reason or "")
    emit(args, ticket_json(t, ctx.hall), f"cancelled: {t.number}")
    return 0


def cmd_counter_state(args) -> int:
    from mpp.cli_auth import ANY_ROLE, SUPERVISOR, login

    if args.state == "pause":
        check_text(args.reason, "--reason")
    ctx = context_from(args)
    q = ctx.queue
    force = args.state == "close" and args.force
    what = f"`mpp counter-{args.state}{' --force' if force else ''}`"
    officer = login(args, ctx, SUPERVISOR if force else ANY_ROLE, what, counter=args.counter).username
    if args.state == "open":
        st = q.open_counter(args.counter, officer=officer)
    elif args.state == "pause":
        st = q.pause_counter(args.counter, args.reason or "", officer=officer)
    else:
        st = q.close_counter(args.counter, officer=officer, force=args.force)
    emit(args, {"counter": st.code, "status": st.status.value, "officer": st.officer, "reason": st.pause_reason},
         f"counter {st.code}: {st.status.value}")
    return 0


def cmd_status(args) -> int:
    ctx = context_from(args)
    hall = ctx.hall
    status = ctx.queue.status()
    now = status.at
    services = []
    for s in status.services:
        oldest = int((now - s.oldest_arrival).total_seconds()) if s.oldest_arrival else None
        services.append({"service": s.service_code, "agency": s.agency_code, "waiting": s.waiting,
                         "waiting_priority": s.waiting_priority, "oldest_wait_s": oldest,
                         "issued_today": s.issued_today, "target_wait_minutes": s.target_wait_minutes})
    counters = [
        {"counter": c.code, "status": c.state.status.value, "officer": c.state.officer,
         "ticket": c.ticket.number if c.ticket else None,
         "ticket_status": c.ticket.status.value if c.ticket else None, "pause_reason": c.state.pause_reason}
        for c in status.counters
    ]
    if args.json:
        emit(args, {"at": now, "services": services, "counters": counters})
        return 0
    print(f"{hall.name} - {now.astimezone(hall.tz):%Y-%m-%d %H:%M}")
    print("\nWaiting:")
    for s in services:
        if s["waiting"] or s["issued_today"]:
            wait = f"oldest {s['oldest_wait_s'] // 60} min" if s["oldest_wait_s"] is not None else ""
            print(f"  {s['service']:<28} {s['waiting']:>4} waiting ({s['waiting_priority']} priority), "
                  f"{s['issued_today']} issued today {wait}")
    print("\nCounters:")
    for c in counters:
        print(f"  loket {c['counter']:>3}  {c['status']:<7} {c['ticket'] or '-':<8} {c['officer'] or ''}")
    return 0


def cmd_events(args) -> int:
    ctx = context_from(args)
    events = ctx.queue.events_after(args.after, args.limit)
    for e in events:
        row = {"id": e.id, "at": e.at, "type": e.type, "number": e.number, "counter": e.counter_code,
               "officer": e.officer, "service": e.service_code, "payload": e.payload}
        if args.json:
            print(json.dumps(row, default=_json_default, ensure_ascii=False))
        else:
            print(f"{e.id:>7} {e.at.astimezone(ctx.hall.tz):%H:%M:%S} {e.type:<16} {e.number or '':<8} "
                  f"{e.counter_code or '':<4} {e.officer or ''}")
    return 0


def cmd_simulate(args) -> int:
    from antrian.simulate import SimulationConfig, run_simulation

    ctx = context_from(args)
    cfg = SimulationConfig(
        day=args.day, seed=args.seed, tickets=args.tickets, no_show_rate=args.no_show,
        agencies=tuple(a for a in (args.agencies or "").split(",") if a), counters_override=_parse_overrides(args.counters),
        target_wait=args.target_wait,
    )
    result = run_simulation(ctx, cfg, progress=None if args.json else print)
    if args.json:
        emit(args, result.as_dict())
    else:
        print(result.table())
    return 0


def _parse_overrides(text: str | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise UsageError(f"--counters takes AGENCY=N,... (got '{part}')")
        k, v = part.split("=", 1)
        try:
            n = int(v)
        except ValueError:
            raise UsageError(f"--counters: '{v}' is not a whole number") from None
        if not 1 <= n <= 50:
            raise UsageError(f"--counters: {k}={n} must be between 1 and 50")
        out[k.strip()] = n
    return out


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)  # a day +-1 and its time zone always exist
MAX_ID = 2**63 - 1  # the event ids are BIGINT
MAX_TEXT = 120  # counters.pause_reason String(120); a cancel reason is kept as short


def check_day(d: date, what: str) -> date:
    if not FIRST_DAY <= d <= LAST_DAY:
        raise UsageError(f"{what} {d.isoformat()} is outside {FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}")
    return d


def check_text(text: str | None, what: str, limit: int = MAX_TEXT) -> str:
    text = text or ""
    if len(text) > limit:
        raise UsageError(f"{what} is {len(text)} characters; at most {limit}")
    if any(ord(ch) < 32 for ch in text):
        raise UsageError(f"{what} must be one line of text (no control characters)")
    return text


def _date(text: str) -> date:
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a date like 2026-11-30") from None
    if not FIRST_DAY <= d <= LAST_DAY:
        raise argparse.ArgumentTypeError(f"{d.isoformat()} is outside {FIRST_DAY.isoformat()}..{LAST_DAY.isoformat()}")
    return d


def _bounded_int(limit: int):
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a whole number") from None
        if v < 0:
            raise argparse.ArgumentTypeError(f"'{text[:40]}' must not be negative")
        if v > limit:
            raise argparse.ArgumentTypeError(f"{text[:40]} is too large (at most {limit})")
        return v

    return parse


def _nonneg_int(text: str) -> int:
    return _bounded_int(MAX_ID)(text)


def _positive_minutes(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of minutes") from None
    if not 1 <= v <= 1440:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 1 and 1440 minutes")
    return v


def _rate(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 <= v <= 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 0 and 1")
    return v


def cmd_demo(args) -> int:
    from mpp import demo

    return demo.run(args)


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


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="mpp", description="Antrian MPP: queue system for a Mal Pelayanan Publik.",
                epilog="Exit status: 0 done, 1 refused by the queue rules, 2 usage or configuration error, "
                       "3 nobody waiting, 4 service closed or quota full, 5 not possible in this state, "
                       "6 ticket or user not found, 7 database unavailable, 8 login refused, 9 printer failed, "
                       "70 unexpected error (traceback in the log file <data dir>/logs/mpp.log), 130 interrupted. "
                       "State-changing commands log in: MPP_USER / MPP_PIN, or asked on the terminal.")
    _add_globals(p, top=True)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    db = sub.add_parser("db", help="database schema")
    dbs = db.add_subparsers(dest="db_command", metavar="ACTION", parser_class=_Parser)
    dbs.add_parser("upgrade", help="create or migrate the schema").set_defaults(func=cmd_db_upgrade)
    dbs.add_parser("current", help="show the schema revision").set_defaults(func=cmd_db_current)

    sub.add_parser("catalogue", help="agencies, services and counters of the hall").set_defaults(func=cmd_catalogue)

    s = sub.add_parser("issue", help="issue a ticket")
    s.add_argument("service", help="service code (see `mpp catalogue`)")
    s.add_argument("--priority", metavar="GROUP", help="priority group, e.g. lansia, disabilitas, ibu-hamil, anak")
    s.set_defaults(func=cmd_issue)

    def counter_cmd(name, help_, ticket=False):
        c = sub.add_parser(name, help=help_)
        c.add_argument("counter", help="counter (loket) number")
        if ticket:
            c.add_argument("ticket", help="ticket number (K-012) or the QR text")
        c.add_argument("--officer", metavar="USERNAME", help=OFFICER_HELP)
        c.set_defaults(func=_counter_action(name))
        return c

    counter_cmd("call", "call the next ticket to a counter")
    counter_cmd("recall", "announce the counter's current ticket again")
    counter_cmd("start", "start serving the called ticket")
    counter_cmd("finish", "finish the counter's ticket")
    counter_cmd("no-show", "mark the called ticket as absent")
    counter_cmd("park", "put the counter's ticket aside to call back later")
    counter_cmd("unpark", "call back a parked ticket", ticket=True)
    counter_cmd("call-number", "call one ticket by number or QR text", ticket=True)
    t = counter_cmd("transfer", "send the counter's ticket to another service or counter")
    t.add_argument("--to-service", help="service code")
    t.add_argument("--to-counter", help="counter number")

    c = sub.add_parser("cancel", help="cancel a ticket (supervisor)")
    c.add_argument("ticket", help="ticket number (K-012) or the QR text")
    c.add_argument("--officer", metavar="USERNAME", help=OFFICER_HELP + " (a supervisor or admin)")
    c.add_argument("--reason")
    c.set_defaults(func=cmd_cancel)

    for state, help_ in (("open", "open a counter"), ("pause", "pause a counter (Istirahat)"), ("close", "close a counter")):
        c = sub.add_parser(f"counter-{state}", help=help_)
        c.add_argument("counter")
        c.add_argument("--officer", metavar="USERNAME", help=OFFICER_HELP)
        if state == "pause":
            c.add_argument("--reason", default="istirahat")
        if state == "close":
            c.add_argument("--force", action="store_true", help="put an open ticket back in the queue")
        c.set_defaults(func=cmd_counter_state, state=state, reason=None, force=False)

    sub.add_parser("status", help="waiting per service and each counter's ticket").set_defaults(func=cmd_status)

    e = sub.add_parser("events", help="the event feed")
    e.add_argument("--after", type=_nonneg_int, default=0)
    e.add_argument("--limit", type=_bounded_int(100_000), default=100)
    e.set_defaults(func=cmd_events)

    sm = sub.add_parser("simulate", help="simulate a hall day through the real engine and database")
    sm.add_argument("--day", type=_date, help="the date to simulate (default: next weekday)")
    sm.add_argument("--seed", type=_bounded_int(MAX_ID), default=1)
    sm.add_argument("--tickets", type=_bounded_int(20_000), help="total tickets (default: from quotas and a busy-day model)")
    sm.add_argument("--no-show", type=_rate, default=0.05, help="share of citizens who are gone when called")
    sm.add_argument("--agencies", help="only these agency codes, comma separated")
    sm.add_argument("--counters", help="counters per agency, e.g. disdukcapil=6,polres=3")
    sm.add_argument("--target-wait", type=_positive_minutes, metavar="MIN",
                    help="target wait in minutes: the share served within it and a suggested number of "
                         "counters per agency (default: each service's target_wait_minutes, no suggestion)")
    sm.set_defaults(func=cmd_simulate)

    d = sub.add_parser("demo", help="open the kiosk, display and two counters on one PC")
    d.add_argument("--headless", action="store_true", help="run the simulation only (no windows)")
    d.set_defaults(func=cmd_demo)

    for name in PLUGINS:
        try:
            mod = importlib.import_module(name)
        except ImportError as exc:
            if exc.name != name:
                raise
            continue
        mod.add_commands(sub)
    _spread_globals(p)
    return p


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


EXIT_DATABASE = 7  # StoreUnavailable's exit code


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
    from antrian.config import ConfigError

    argv = list(sys.argv[1:] if argv is None else argv)
    where = "`mpp " + " ".join(argv[:2]) + "`" if argv else "`mpp`"
    try:
        parser = build_parser()
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
