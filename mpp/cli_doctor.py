"""``mpp doctor``: recompute today's waiting counts (what "people ahead" reads) from the ticket
rows, report any drift, and with ``--repair`` write the recomputed values."""

from __future__ import annotations


def add_commands(sub) -> None:
    d = sub.add_parser("doctor", help="check today's waiting counts against the tickets (and repair them)")
    d.add_argument("--repair", action="store_true",
                   help="write the counts recomputed from the tickets (supervisor or admin login)")
    d.add_argument("--officer", help="username of the supervisor/admin who repairs (else MPP_USER or asked)")
    d.set_defaults(func=cmd_doctor)


def cmd_doctor(args) -> int:
    from mpp.cli import context_from, emit

    ctx = context_from(args)
    if args.repair:  # a repair changes the queue: it needs a supervisor or an admin
        from mpp.cli_auth import login

        login(args, ctx, ("supervisor", "admin"), "`mpp doctor --repair`")
    report = ctx.queue.doctor(repair=args.repair)
    lines = [str(d) for d in report.drift]
    if report.ok:
        summary = f"doctor {report.day}: the counts match the tickets"
    elif report.repaired:
        summary = f"doctor {report.day}: repaired {len(lines)}: " + "; ".join(lines)
    else:
        summary = f"doctor {report.day}: {len(lines)} drifted (run with --repair): " + "; ".join(lines)
    emit(args, {"day": report.day.isoformat(), "ok": report.ok, "repaired": report.repaired, "drift": lines},
         summary)
    return 0 if report.ok or report.repaired else 1
