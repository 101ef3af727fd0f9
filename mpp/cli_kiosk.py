"""`mpp kiosk`, `mpp printer test|status|reprint` and `mpp kiosk-pin`: added to the `mpp` parser by
mpp.cli. No Qt import here: the kiosk window is imported only when `mpp kiosk` runs."""

from __future__ import annotations

import argparse
import functools
import getpass
import json
import re
import sys

from antrian.domain.errors import QueueError, UsageError

MIN_PIN_DIGITS = 6  # like the supervisor and admin PINs (issue 10): the admin PIN opens the staff screens
PIN_RE = re.compile(r"^\d{6,12}$")


class PrinterFailed(QueueError):
    """The printer could not print or answer; the message says what to check."""

    code = "printer_failed"
    exit_code = 9


def _json_flag(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: keep a global `mpp --json` when the flag is not repeated after the subcommand
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")


def _emit(args, data: dict, text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps({"ok": True} | data, ensure_ascii=False, default=str))
    else:
        print(text)


def _json_errors(func):
    """With --json, a failure is one JSON object on stdout ({"ok": false, "error": code, "message":
    ..., "exit_code": n}) as well as the usual line on stderr; the exit code is unchanged."""

    @functools.wraps(func)
    def run(args) -> int:
        from antrian.config import ConfigError

        try:
            return func(args)
        except (QueueError, ConfigError) as e:
            if not getattr(args, "json", False):
                raise
            code = getattr(e, "code", "config")
            exit_code = getattr(e, "exit_code", UsageError.exit_code)
            params = {k: v for k, v in getattr(e, "params", {}).items() if isinstance(v, (str, int, float, bool))}
            print(json.dumps({"ok": False, "error": code, "message": str(e), "exit_code": exit_code} | params,
                             ensure_ascii=False, default=str))
            from mpp.cli import one_line

            print(f"mpp: {one_line(str(e))}", file=sys.stderr)
            return exit_code

    return run


def _confirmed(printer) -> bool:
    """Did the printer confirm the last job (True for printers that cannot fail silently)?"""
    return getattr(printer, "last_confirmed", True) is not False


def _done_text(printer) -> str:
    if _confirmed(printer):
        return "printed"
    return ("sent, NOT confirmed (the printer took the bytes; status checks are off, so look whether "
            "the ticket came out)")


def add_commands(sub) -> None:
    k = sub.add_parser("kiosk", help="open the touchscreen ticket kiosk (full screen)",
                       description="Open the citizen's ticket kiosk. Full screen without window chrome; "
                                   "leaving it needs the admin PIN (Ctrl+Q, or hold the hall name for "
                                   "3 s for the staff screen).")
    k.add_argument("--windowed", action="store_true", help="a normal window (testing, demos)")
    k.add_argument("--lang", choices=("id", "en"), help="start-screen language (default: station config, id)")
    k.add_argument("--width", type=int, metavar="W", help="window width in pixels (with --windowed)")
    k.add_argument("--height", type=int, metavar="H", help="window height in pixels (with --windowed)")
    k.set_defaults(func=cmd_kiosk)

    p = sub.add_parser("printer", help="the station's ticket printer: test, status, reprint",
                       description="Use the ticket printer of this station ([printer] in the station config).")
    psub = p.add_subparsers(dest="printer_command", metavar="COMMAND")
    t = psub.add_parser("test", help="print a test ticket")
    _json_flag(t)
    t.set_defaults(func=_json_errors(cmd_printer_test))
    s = psub.add_parser("status", help="online / paper near end / paper out / cover open "
                                       "(exit status 1 when it cannot print)")
    _json_flag(s)
    s.set_defaults(func=_json_errors(cmd_printer_status))
    r = psub.add_parser("reprint", help="print a ticket of today again")
    r.add_argument("ticket", metavar="TICKET", help="ticket number (K-012) or the text of its QR code")
    _json_flag(r)
    r.set_defaults(func=_json_errors(cmd_printer_reprint))
    p.set_defaults(func=_printer_help(p))

    pin = sub.add_parser("kiosk-pin", help="make the hash of a kiosk admin PIN for the station config",
                         description="Reads the PIN twice (terminal) or from stdin, prints its scrypt hash. "
                                     "Put it in the station config: [kiosk] admin_pin_hash = \"...\"")
    pin.add_argument("--pin", help="the PIN (6-12 digits); without it the PIN is read from stdin")
    _json_flag(pin)
    pin.set_defaults(func=cmd_kiosk_pin)


def _printer_help(parser: argparse.ArgumentParser):
    def handler(args) -> int:
        raise UsageError("say what to do with the printer: `mpp printer test`, `mpp printer status` or "
                         "`mpp printer reprint K-012`")

    return handler


# ----------------------------------------------------------------------------------- kiosk

def cmd_kiosk(args) -> int:
    from mpp.cli import context_from

    if (args.width is None) != (args.height is None):
        raise UsageError("give both --width and --height (e.g. --width 1080 --height 1920)")
    for name in ("width", "height"):
        v = getattr(args, name)
        if v is not None and not 320 <= v <= 10000:
            raise UsageError(f"--{name} {v} is not a sensible window size (320-10000 pixels)")
    ctx = context_from(args)
    from kiosk.window import run_kiosk

    return run_kiosk(ctx, args)


# ----------------------------------------------------------------------------------- printer

def _printer(ctx):
    from printer.backends import build_ticket_printer
    from printer.model import PrinterError

    try:
        return build_ticket_printer(ctx.station.printer)
    except PrinterError as e:
        where = f" ({ctx.station_path})" if ctx.station_path else ""
        raise UsageError(f"printer settings{where}: {e}") from None


def _print(printer, ticket) -> None:
    from printer.commands import error_text
    from printer.model import PrinterError

    try:
        printer.print_ticket(ticket)
    except PrinterError as e:
        raise PrinterFailed(error_text(e), kind=e.kind) from None


def _where_printed(printer) -> str:
    path = getattr(printer, "last_path", None)
    return f" (preview: {path})" if path else ""


def cmd_printer_test(args) -> int:
    from mpp.cli import context_from
    from antrian.services.ports import SystemClock
    from printer.commands import test_ticket

    ctx = context_from(args)
    hall = ctx.hall
    printer = _printer(ctx)
    now = SystemClock().now().astimezone(hall.tz)
    _print(printer, test_ticket(hall.name, hall.city, hall.ticket_footer, now))
    path = getattr(printer, "last_path", None)
    _emit(args, {"printed": _confirmed(printer), "sent": True, "printer": printer.describe(),
                 "preview": str(path) if path else None},
          f"test ticket {_done_text(printer)} on {printer.describe()}{_where_printed(printer)}")
    return 0


def cmd_printer_status(args) -> int:
    from mpp.cli import context_from
    from printer.commands import status_text

    ctx = context_from(args)
    printer = _printer(ctx)
    st = printer.status()
    _emit(args, {"printer": printer.describe(), "online": st.online, "paper": st.paper,
                 "cover_open": st.cover_open, "can_print": st.can_print,
                 "needs_attention": st.needs_attention, "checked": st.checked, "message": st.message},
          f"{printer.describe()}: {status_text(st)}")
    return 0 if st.can_print else 1


def cmd_printer_reprint(args) -> int:
    from mpp.cli import context_from
    from antrian.services.reprint import reprint_view
    from printer.content import ticket_print_for
    from printer.commands import for_reprint

    ctx = context_from(args)
    queue = ctx.queue
    ticket = queue.find_ticket(args.ticket)  # BadTicketRef / TicketNotFound / StoreUnavailable
    view = reprint_view(queue, ticket)  # TicketNotReprintable: another day, expired, cancelled
    printer = _printer(ctx)
    tp = for_reprint(ticket_print_for(view, ctx.hall, reprint=True), view.state.value, view.counter_code,
                     ctx.hall.service(ticket.service_code).requirements)
    _print(printer, tp)
    path = getattr(printer, "last_path", None)
    _emit(args, {"printed": _confirmed(printer), "sent": True, "number": ticket.number,
                 "status": view.state.value, "counter": view.counter_code,
                 "ahead": view.ahead if view.waiting else None,
                 "eta_minutes": view.eta_minutes if view.waiting else None,
                 "printer": printer.describe(), "preview": str(path) if path else None},
          f"ticket {ticket.number} ({view.state.value}) {_done_text(printer)} on "
          f"{printer.describe()}{_where_printed(printer)}")
    return 0


# ----------------------------------------------------------------------------------- PIN

def _read_pin(args) -> str:
    """--pin; else two lines on a pipe (the second, when given, must match); else asked twice."""
    if args.pin is not None:
        return args.pin.strip()
    if sys.stdin is None:
        raise UsageError("no PIN given: use --pin PIN or pipe the PIN on stdin")
    if not sys.stdin.isatty():
        first = sys.stdin.readline().strip()
        second = sys.stdin.readline().strip()
        if not first:
            raise UsageError("no PIN given: use --pin PIN or pipe the PIN on stdin")
        if second and second != first:
            raise UsageError("the two PINs differ; nothing was made")
        return first
    try:
        pin = getpass.getpass("PIN admin kios baru / new kiosk admin PIN (6-12 digits): ").strip()
        if getpass.getpass("The same PIN again: ").strip() != pin:
            raise UsageError("the two PINs differ; nothing was made")
    except EOFError:
        raise UsageError("no PIN given: use --pin PIN or pipe the PIN on stdin") from None
    return pin


def cmd_kiosk_pin(args) -> int:
    from antrian.services.auth import hash_pin

    pin = _read_pin(args)
    if pin.isdigit() and len(pin) < MIN_PIN_DIGITS:
        raise UsageError(f"PIN terlalu pendek / PIN too short: a kiosk admin PIN has at least {MIN_PIN_DIGITS} "
                         f"digits (got {len(pin)}); nothing was made")
    if not PIN_RE.match(pin):
        raise UsageError("the PIN must be 6 to 12 digits (the kiosk's PIN pad has digits only)")
    if pin == "0000" or len(set(pin)) == 1:
        raise UsageError("choose a PIN that is not all the same digit (0000 is the demo PIN)")
    h = hash_pin(pin)
    if getattr(args, "json", False):
        print(json.dumps({"admin_pin_hash": h}))
    else:
        print(h)
        print(f'put this line in the station config under [kiosk]:\nadmin_pin_hash = "{h}"', file=sys.stderr)
    return 0
