"""`mpp booking list|show|cancel|release|book|check-in`: the bookings ("antrean online") from
the command line, through antrian.services.booking like the web pages and the kiosk.

Cancelling is a staff action: it takes --officer NAME for now (the officer login helper of the
web/edges work is not merged yet; the name is recorded with the cancellation)."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta

from antrian.domain.errors import UsageError


def _json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")


def _day(text: str) -> date:
    t = text.strip().lower()
    if t in ("today", "hari-ini"):
        return date.today()
    if t in ("tomorrow", "besok"):
        return date.today() + timedelta(days=1)
    try:
        return date.fromisoformat(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a day: write YYYY-MM-DD, today or tomorrow") from None


def add_commands(sub) -> None:
    b = sub.add_parser("booking", help="bookings (antrean online): list, show, cancel, release, book, check in")
    bs = b.add_subparsers(dest="booking_cmd", metavar="ACTION")

    ls = bs.add_parser("list", help="the bookings of a day (default: today)")
    ls.add_argument("--day", type=_day, help="YYYY-MM-DD, today or tomorrow (default: the hall's today)")
    ls.add_argument("--service", metavar="CODE", help="only this service")
    ls.add_argument("--status", choices=("active", "checked_in", "cancelled", "released"))
    _json_flag(ls)
    ls.set_defaults(func=cmd_booking_list)

    sh = bs.add_parser("show", help="one booking by its code")
    sh.add_argument("code", help="booking code, e.g. AB23-CD45 (or the QR text)")
    _json_flag(sh)
    sh.set_defaults(func=cmd_booking_show)

    c = bs.add_parser("cancel", help="cancel a booking (staff); its seat is free again")
    c.add_argument("code", help="booking code, e.g. AB23-CD45")
    c.add_argument("--officer", required=True, metavar="NAME", help="who cancels it (recorded)")
    _json_flag(c)
    c.set_defaults(func=cmd_booking_cancel)

    r = bs.add_parser("release", help="release the bookings whose check-in window has passed; prints how many")
    _json_flag(r)
    r.set_defaults(func=cmd_booking_release)

    bk = bs.add_parser("book", help="book a slot (as the web page does)")
    bk.add_argument("service", metavar="SERVICE", help="service code (see `mpp catalogue`)")
    bk.add_argument("day", type=_day, help="YYYY-MM-DD, today or tomorrow")
    bk.add_argument("time", help="slot start, e.g. 09:00")
    who = bk.add_mutually_exclusive_group(required=True)
    who.add_argument("--nik", help="16-digit NIK (never stored in clear)")
    who.add_argument("--phone", help="mobile number, e.g. 0812 3456 7890")
    _json_flag(bk)
    bk.set_defaults(func=cmd_booking_book)

    ci = bs.add_parser("check-in", help="check in with a booking code (as the kiosk does); prints the ticket")
    ci.add_argument("code", help="booking code, e.g. AB23-CD45 (or the QR text)")
    _json_flag(ci)
    ci.set_defaults(func=cmd_booking_check_in)

    b.set_defaults(func=lambda args: _usage(b))


def _usage(p: argparse.ArgumentParser) -> int:
    from antrian.domain.errors import UsageError

    raise UsageError("`mpp booking` needs an action: list, show, cancel, release, book or check-in "
                     "(see `mpp booking --help`)")


def _service(args):
    from mpp.cli import context_from

    ctx = context_from(args)
    from antrian.services.booking import BookingService
    from antrian.storage.booking_store import SqlBookingStore

    store = SqlBookingStore(ctx.db_url)
    args._booking_store = store
    return ctx, BookingService(ctx.hall, store, policy=ctx.booking_policy)


def _run(fn):
    """Run a booking command: a refusal is one line, the Indonesian sentence then the English one."""

    def wrapper(args) -> int:
        from antrian.domain.booking import BookingError

        try:
            return int(fn(args) or 0)
        except BookingError as e:
            print(f"mpp: {e.message_id} ({e.message_en})", file=sys.stderr)
            return e.exit_code
        finally:
            store = getattr(args, "_booking_store", None)
            if store is not None:
                store.dispose()

    wrapper.__name__ = fn.__name__
    return wrapper


def booking_json(v) -> dict:
    return {
        "code": v.code, "code_display": v.code_display, "qr": v.qr_text, "service": v.service_code,
        "service_name": v.service_name, "agency": v.agency_code, "day": v.day, "slot_start": v.slot_start,
        "slot_end": v.slot_end, "checkin_opens": v.checkin_opens, "checkin_closes": v.checkin_closes,
        "status": v.status.value, "contact": v.contact_hint, "ticket": v.ticket_number,
        "cancelled_by": v.cancelled_by, "created_at": v.created_at,
    }


def _line(v) -> str:
    ticket = f"  ticket {v.ticket_number}" if v.ticket_number else ""
    return (f"{v.code_display}  {v.day}  {v.slot_start:%H:%M}-{v.slot_end:%H:%M}  {v.service_code:<12} "
            f"{v.status.value:<10} {v.contact_hint}{ticket}")


@_run
def cmd_booking_list(args) -> int:
    from antrian.domain.booking import BookingStatus
    from mpp.cli import emit

    ctx, svc = _service(args)
    day = args.day or svc.service_day()
    rows = svc.list(day, args.service, BookingStatus(args.status) if args.status else None)
    counts: dict[str, int] = {}
    for v in rows:
        counts[v.status.value] = counts.get(v.status.value, 0) + 1
    summary = ", ".join(f"{k} {n}" for k, n in sorted(counts.items())) or "none"
    text = "\n".join([_line(v) for v in rows] + [f"{len(rows)} bookings on {day}: {summary}"])
    emit(args, {"day": day, "bookings": [booking_json(v) for v in rows], "counts": counts}, text)
    return 0


@_run
def cmd_booking_show(args) -> int:
    from mpp.cli import emit

    ctx, svc = _service(args)
    v = svc.find(args.code)
    text = "\n".join([
        f"booking   {v.code_display}  ({v.status.value})",
        f"service   {v.service_name} ({v.agency_name})",
        f"slot      {v.day} {v.slot_start:%H:%M}-{v.slot_end:%H:%M}",
        f"check-in  {v.checkin_opens:%H:%M} to {v.checkin_closes:%H:%M}",
        f"contact   {v.contact_hint}",
    ] + ([f"ticket    {v.ticket_number}"] if v.ticket_number else [])
      + ([f"cancelled by {v.cancelled_by}"] if v.cancelled_by else []))
    emit(args, booking_json(v), text)
    return 0


@_run
def cmd_booking_cancel(args) -> int:
    from mpp.cli import emit

    officer = args.officer.strip()
    if not officer:
        raise UsageError("--officer needs a name")
    ctx, svc = _service(args)
    v = svc.cancel(args.code, officer=officer)
    emit(args, booking_json(v), f"cancelled booking {v.code_display} ({v.service_code} {v.day} {v.slot_start:%H:%M})")
    return 0


@_run
def cmd_booking_release(args) -> int:
    from mpp.cli import emit

    ctx, svc = _service(args)
    n = svc.release_unused()
    emit(args, {"released": n}, f"released {n} unused booking{'s' if n != 1 else ''}")
    return 0


@_run
def cmd_booking_book(args) -> int:
    from mpp.cli import emit

    ctx, svc = _service(args)
    v = svc.book(args.service, args.day, args.time, nik=args.nik, phone=args.phone)
    emit(args, booking_json(v),
         f"booked {v.code_display}: {v.service_name} {v.day} {v.slot_start:%H:%M}; "
         f"check in at the kiosk from {v.checkin_opens:%H:%M} to {v.checkin_closes:%H:%M}")
    return 0


@_run
def cmd_booking_check_in(args) -> int:
    from mpp.cli import emit, ticket_json

    ctx, svc = _service(args)
    ci = svc.check_in(args.code, source="cli")
    t = ci.issued.ticket
    emit(args, ticket_json(t, ctx.hall) | {"ahead": ci.issued.ahead, "eta_minutes": ci.issued.eta_minutes,
                                           "qr": ci.issued.qr_text, "booking": ci.booking.code},
         f"ticket {t.number} for booking {ci.booking.code_display}: arrival {t.arrival_at.astimezone(ctx.hall.tz):%H:%M}, "
         f"{ci.issued.ahead} ahead")
    return 0
