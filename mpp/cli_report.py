"""``mpp report`` (Rekap Layanan, waiting and service times, arrivals, counters), ``mpp skm``
(the SKM/IKM table), ``mpp survey-answer``, ``mpp alerts`` and ``mpp devices``. Headless."""

from __future__ import annotations

from pathlib import Path

from antrian.domain.errors import UsageError


def _period_options(p) -> None:
    g = p.add_argument_group("period (one of; default: this month)")
    g.add_argument("--day", metavar="YYYY-MM-DD")
    g.add_argument("--month", metavar="YYYY-MM")
    g.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
    g.add_argument("--to", dest="end", metavar="YYYY-MM-DD")
    p.add_argument("--by", choices=("agency", "service"), default="service", help="rows per agency or per service")
    p.add_argument("--agency", metavar="CODE", help="only this agency (see `mpp catalogue`)")
    p.add_argument("--out", type=Path, metavar="PATH", help="output file (default: in the current folder)")
    p.add_argument("--logo", type=Path, metavar="PNG", help="letterhead logo (default: logo.png beside the hall file)")


def add_commands(sub) -> None:
    r = sub.add_parser("report", help="the service report (Rekap Layanan, times, arrivals, counters)")
    _period_options(r)
    r.add_argument("--format", choices=("xlsx", "pdf", "csv"), default="xlsx")
    r.set_defaults(func=cmd_report)

    s = sub.add_parser("skm", help="the SKM survey index (IKM) in the PermenPAN-RB 14/2017 table form")
    _period_options(s)
    s.add_argument("--format", choices=("xlsx", "pdf"), default="xlsx")
    s.set_defaults(func=cmd_skm)

    a = sub.add_parser("survey-answer", help="record one SKM response for a served ticket (id or QR text)")
    a.add_argument("ticket", help="ticket id (a number) or the ticket's QR text / token")
    a.add_argument("--answers", required=True, metavar="N,N,...", help="nine answers 1-4, U1..U9")
    a.add_argument("--age-band")
    a.add_argument("--sex", choices=("L", "P"))
    a.add_argument("--education")
    a.add_argument("--occupation")
    a.add_argument("--comment")
    a.set_defaults(func=cmd_survey_answer)

    al = sub.add_parser("alerts", help="service-level alerts now (and acknowledge one)")
    al.add_argument("--ack", metavar="KEY", help="acknowledge the alert with this key")
    al.add_argument("--officer", default="supervisor", help="who acknowledges")
    al.add_argument("--log", action="store_true", help="show the alert log instead")
    al.add_argument("--pause-minutes", type=int, default=20, help="a pause longer than this is an alert")
    al.set_defaults(func=cmd_alerts)

    d = sub.add_parser("devices", help="device health: each station's last heartbeat (green / amber / red)")
    d.set_defaults(func=cmd_devices)


def _period(args):
    from antrian.reports.period import parse_period

    return parse_period(args.day, args.month, args.start, args.end)


def _logo(args, ctx) -> Path | None:
    if args.logo:
        if not args.logo.is_file():
            raise UsageError(f"--logo: no file {args.logo}")
        return args.logo
    beside = Path(ctx.config_path).parent / "logo.png"
    return beside if beside.is_file() else None


def _out(args, stem: str, period, fmt: str) -> Path:
    return args.out or Path(f"{stem}-{period.slug()}.{fmt}")


def cmd_report(args) -> int:
    from mpp.cli import context_from, emit

    from antrian.reports.service import write_report

    period = _period(args)
    ctx = context_from(args)
    out = _out(args, "rekap-layanan", period, args.format)
    try:
        rep = write_report(ctx.queue.store, ctx.hall, period, args.format, out, by=args.by, agency=args.agency,
                           logo=_logo(args, ctx))
    except OSError as e:
        raise UsageError(f"cannot write {out}: {e.strerror or e}") from None
    t = rep.total
    emit(args, {"out": str(out), "period": period.slug(), "tickets": rep.total_tickets, **t.as_dict()},
         f"{out}: {period.label()}, {t.issued} issued, {t.served} served, {t.no_show} no-show, "
         f"{t.cancelled} cancelled, {t.transferred} transferred")
    return 0


def _survey(ctx):
    from antrian.services.survey import SurveyService
    from antrian.storage.manager_store import ManagerStore

    return SurveyService(ctx.hall, ManagerStore(ctx.queue.store))


def cmd_skm(args) -> int:
    from mpp.cli import context_from, emit

    from antrian.reports.skm import load_skm, write_skm_pdf, write_skm_xlsx

    period = _period(args)
    ctx = context_from(args)
    rep = load_skm(_survey(ctx), ctx.hall, period, by=args.by, agency=args.agency)
    out = _out(args, "ikm", period, args.format)
    try:
        if args.format == "pdf":
            write_skm_pdf(rep, out, _logo(args, ctx))
        else:
            write_skm_xlsx(rep, out)
    except OSError as e:
        raise UsageError(f"cannot write {out}: {e.strerror or e}") from None
    o = rep.overall.result
    assert o.mutu is not None  # load_skm refuses a period without respondents
    emit(args, {"out": str(out), "period": period.slug(), "respondents": o.respondents,
                "ikm": str(o.ikm_decimal), "mutu": o.mutu.letter},
         f"{out}: {period.label()}, {o.respondents} respondents, IKM {o.ikm_decimal} ({o.mutu.letter}, {o.mutu.label})")
    return 0


def cmd_survey_answer(args) -> int:
    from mpp.cli import context_from, emit

    from antrian.domain.survey import Profile

    try:
        answers = [int(x) for x in args.answers.split(",")]
    except ValueError:
        raise UsageError(f"--answers takes nine whole numbers 1-4 separated by commas (got '{args.answers}')") from None
    ctx = context_from(args)
    ticket = int(args.ticket) if args.ticket.isdigit() else args.ticket
    rid = _survey(ctx).submit(ticket, answers, Profile(args.age_band, args.sex, args.education, args.occupation),
                              args.comment, channel="counter")
    emit(args, {"response": rid}, f"survey response {rid} recorded")
    return 0


def cmd_alerts(args) -> int:
    from mpp.cli import context_from, emit

    from antrian.services.alerts import AlertService, AlertSettings
    from antrian.services.health import HealthService
    from antrian.storage.manager_store import ManagerStore
    from antrian.storage.web_store import WebStore

    ctx = context_from(args)
    store = ManagerStore(ctx.queue.store)
    svc = AlertService(ctx.hall, ctx.queue, store, HealthService(store), AlertSettings(pause_minutes=args.pause_minutes),
                       notify=WebStore(ctx.queue.store))
    if args.ack:
        if not svc.acknowledge(args.ack, args.officer):
            raise UsageError(f"no open, unacknowledged alert '{args.ack}' (see `mpp alerts`)")
        emit(args, {"acknowledged": args.ack}, f"acknowledged {args.ack}")
        return 0
    rows = svc.log() if args.log else list(svc.check().alerts)
    data = [{"key": a.key, "kind": a.kind, "severity": a.severity, "message": a.message, "raised_at": a.raised_at,
             "acknowledged_by": a.acknowledged_by, "resolved_at": a.resolved_at} for a in rows]
    lines = [f"{'!' if a.severity == 'critical' else '-'} {a.message}  [{a.key}]"
             + (f" (ack {a.acknowledged_by})" if a.acknowledged_by else "")
             + (" (selesai)" if a.resolved_at else "") for a in rows]
    emit(args, data, "\n".join(lines) if lines else "no alerts")
    return 0


def cmd_devices(args) -> int:
    from mpp.cli import context_from, emit

    from antrian.services.health import HealthService
    from antrian.storage.manager_store import ManagerStore

    ctx = context_from(args)
    devices = HealthService(ManagerStore(ctx.queue.store)).devices()
    data = [{"kind": d.kind, "name": d.name, "colour": d.colour, "age_s": round(d.age_s, 1),
             "version": d.heartbeat.version, "last_event_id": d.heartbeat.last_event_id,
             "printer_state": d.heartbeat.printer_state} for d in devices]
    lines = [f"{d.colour:<6} {d.kind:<8} {d.name:<12} {d.age_s:>7.0f} s  {d.heartbeat.printer_state or ''}"
             for d in devices]
    emit(args, data, "\n".join(lines) if lines else "no heartbeats yet")
    return 0
