"""The core `mpp` commands: db, catalogue, issue, the counter actions (call ... transfer), cancel,
counter-open|pause|close, status, events, simulate and demo. Added to the parser by mpp.cli like
every other command module; nothing heavy is imported until a command runs."""

from __future__ import annotations

import json

from antrian.domain.errors import UsageError
from mpp.cli_common import (
    _Parser,
    MAX_ID,
    OFFICER_HELP,
    _bounded_int,
    _date,
    _json_default,
    _nonneg_int,
    _positive_minutes,
    _rate,
    check_text,
    context_from,
    emit,
    ticket_json,
)



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
    # the short path first: no SQLAlchemy, alembic or pydantic (antrian.issue_path); it declines
    # (None, nothing written) what only the full context handles
    from antrian.issue_path import issue

    done = None if getattr(args, "_ctx", None) is not None else issue(
        args.service, args.priority, db=args.db, config=args.config, station=args.station)
    if done is None:
        ctx = context_from(args)
        hall, issued = ctx.hall, ctx.queue.issue(args.service, priority=args.priority)
    else:
        hall, issued = done
    t = issued.ticket
    data = ticket_json(t, hall) | {"ahead": issued.ahead, "eta_minutes": issued.eta_minutes, "qr": issued.qr_text}
    emit(args, data, f"{t.number}  {hall.service(t.service_code).name}  ahead {issued.ahead}, ~{issued.eta_minutes} min")
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


def cmd_demo(args) -> int:
    from mpp import demo

    return demo.run(args)



# ----------------------------------------------------------------------------- parser


def add_commands(sub) -> None:
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
