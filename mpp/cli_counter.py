"""`mpp counter`, `mpp monitor`, `mpp user ...` and `mpp audit`: added to the `mpp` parser by
mpp.cli. No Qt import here: the windows are imported only when their command runs."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date

from antrian.domain.errors import UsageError


def _json_flag(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: do not overwrite the global `mpp --json` with False when it is not repeated here
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")


def _users(ctx):
    from antrian.services.users import UserService

    queue = ctx.queue
    return UserService(queue.store, queue.clock, tz=ctx.hall.tz)


def _read_pin(args, confirm: bool = True) -> str:
    """--pin, else one line from a pipe, else asked twice on the terminal (not echoed)."""
    if getattr(args, "pin", None):
        return args.pin
    if sys.stdin is None:
        raise UsageError("no PIN given: use --pin PIN or pipe the PIN on stdin")
    if not sys.stdin.isatty():
        line = sys.stdin.readline().strip()
        if not line:
            raise UsageError("no PIN given: use --pin PIN or pipe the PIN on stdin")
        return line
    try:
        pin = getpass.getpass("PIN baru / new PIN (4-8 digits; supervisor and admin 6-8): ")
        if confirm and getpass.getpass("PIN baru lagi / new PIN again: ") != pin:
            raise UsageError("the two PINs differ; nothing was changed")
    except EOFError:
        raise UsageError("no PIN given: use --pin PIN or pipe the PIN on stdin") from None
    return pin


def _user_json(u) -> dict:
    return {
        "username": u.username,
        "full_name": u.full_name,
        "role": u.role,
        "disabled": u.disabled,
        "failed_attempts": u.failed_attempts,
        "locked_until": u.locked_until.isoformat() if u.locked_until else None,
    }


def _emit(args, data, text: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, default=str))
    else:
        print(text)


# ------------------------------------------------------------------------------------ users


def _admin(args, ctx, what: str):
    from mpp.cli_auth import ADMIN, login

    return login(args, ctx, ADMIN, what)


def cmd_user_add(args) -> int:
    from mpp.cli import context_from
    from mpp.cli_auth import has_admin

    ctx = context_from(args)
    from antrian.services.users import check_pin, check_role, check_username

    # check what we can before asking for a PIN
    check_username(args.username)
    check_role(args.role)
    if has_admin(ctx):
        by = _admin(args, ctx, "`mpp user add`").username
    elif args.role != "admin":
        raise UsageError("there is no admin account yet: the first account must be an admin "
                         f"(`mpp user add {args.username} --name '...' --role admin`)")
    else:
        by = args.username  # bootstrap: the first admin adds itself
    pin = _read_pin(args)
    check_pin(pin, args.role)
    u = _users(ctx).add(args.username, args.name, args.role, pin, by=by)
    _emit(args, _user_json(u), f"added {u.role} '{u.username}' ({u.full_name})")
    return 0


def cmd_user_passwd(args) -> int:
    from mpp.cli import context_from
    from mpp.cli_auth import ANY_ROLE, login

    from antrian.services.users import NotAllowed

    ctx = context_from(args)
    users = _users(ctx)
    users.get(args.username)  # unknown user: say so before asking for a PIN
    me = login(args, ctx, ANY_ROLE, "`mpp user passwd`")
    if me.username != args.username and me.role != "admin":
        raise NotAllowed(f"'{me.username}' may change only their own PIN; another account's needs an admin",
                         username=me.username)
    u = users.passwd(args.username, _read_pin(args), by=me.username)
    _emit(args, _user_json(u), f"PIN changed for '{u.username}'")
    return 0


def cmd_user_disable(args) -> int:
    from mpp.cli import context_from

    ctx = context_from(args)
    users = _users(ctx)
    users.get(args.username)
    by = _admin(args, ctx, "`mpp user disable`").username
    if by == args.username:
        raise UsageError("an admin cannot disable their own account (ask another admin)")
    u = users.disable(args.username, by=by)
    _emit(args, _user_json(u), f"'{u.username}' disabled")
    return 0


def cmd_user_enable(args) -> int:
    from mpp.cli import context_from

    ctx = context_from(args)
    users = _users(ctx)
    users.get(args.username)
    by = _admin(args, ctx, "`mpp user enable`").username
    u = users.enable(args.username, by=by)
    _emit(args, _user_json(u), f"'{u.username}' enabled (any lockout lifted)")
    return 0


def cmd_user_role(args) -> int:
    from mpp.cli import context_from

    from antrian.services.users import MIN_PIN_DIGITS, check_role

    ctx = context_from(args)
    check_role(args.role)
    users = _users(ctx)
    users.get(args.username)
    by = _admin(args, ctx, "`mpp user role`").username
    if by == args.username and args.role != "admin":
        raise UsageError("an admin cannot lower their own role (ask another admin)")
    pin = _read_pin(args) if MIN_PIN_DIGITS[args.role] > 4 or args.pin else None
    u = users.set_role(args.username, args.role, by=by, pin=pin)
    _emit(args, _user_json(u), f"'{u.username}' is now {u.role}")
    return 0


def cmd_user_list(args) -> int:
    from mpp.cli import context_from

    ctx = context_from(args)
    users = _users(ctx)
    rows = users.list()
    if getattr(args, "json", False):
        print(json.dumps([_user_json(u) for u in rows], ensure_ascii=False))
        return 0
    if not rows:
        print("no users yet: add one with `mpp user add USERNAME --name 'Full Name' --role officer`")
        return 0
    now = users.clock.now()
    print(f"{'USERNAME':<20} {'ROLE':<11} {'STATE':<20} NAME")
    for u in rows:
        if u.disabled:
            state = "disabled"
        elif users.is_locked(u, now):
            state = f"locked until {users.local_time(u.locked_until)}"
        else:
            state = "active"
        print(f"{u.username:<20} {u.role:<11} {state:<20} {u.full_name}")
    return 0


def cmd_user_missing(args) -> int:
    raise UsageError("`mpp user` needs an action: add, passwd, disable, enable, role or list")


# ------------------------------------------------------------------------------------ audit


def _parse_date(text: str) -> date:
    from mpp.cli import check_day

    try:
        d = date.fromisoformat(text)
    except (TypeError, ValueError):
        raise UsageError(f"--date '{text[:40]}' is not a date: use YYYY-MM-DD, e.g. 2026-11-25") from None
    return check_day(d, "--date")


def cmd_audit(args) -> int:
    from mpp.cli import context_from
    from antrian.services.audit import audit_rows, format_payload

    day = _parse_date(args.date) if args.date else None
    ctx = context_from(args)
    queue = ctx.queue
    if day is None:
        day = queue.service_day()
    rows = audit_rows(queue.store, ctx.hall, day)
    if getattr(args, "json", False):
        print(json.dumps(rows, ensure_ascii=False, default=str))
        return 0
    if not rows:
        print(f"no events on {day.isoformat()}")
        return 0
    print(f"{'TIME':<8} {'EVENT':<18} {'NUMBER':<8} {'LOKET':<5} {'OFFICER':<14} {'SERVICE':<20} DETAILS")
    for r in rows:
        print(f"{r['time']:<8} {r['type']:<18} {r['number'] or '-':<8} {r['counter'] or '-':<5} "
              f"{r['officer'] or '-':<14} {r['service'] or '-':<20} {format_payload(r['payload'])}".rstrip())
    print(f"{len(rows)} events on {day.isoformat()}")
    return 0


# ------------------------------------------------------------------------------------ windows


def cmd_counter(args) -> int:
    from mpp.cli import context_from

    ctx = context_from(args)
    if args.counter and ctx.hall.find_counter(args.counter) is None:
        known = ", ".join(c.code for c in ctx.hall.counters)
        raise UsageError(f"unknown counter '{args.counter}' (counters: {known})")
    if bool(args.user) != bool(args.pin):
        raise UsageError("--user and --pin go together")
    from counter.app import run_counter

    return run_counter(ctx, counter=args.counter, windowed=args.windowed, username=args.user, pin=args.pin,
                       language=args.lang)


def cmd_monitor(args) -> int:
    from mpp.cli import context_from

    ctx = context_from(args)
    if bool(args.user) != bool(args.pin):
        raise UsageError("--user and --pin go together")
    from counter.app import run_monitor

    return run_monitor(ctx, windowed=args.windowed, username=args.user, pin=args.pin, language=args.lang)


# ------------------------------------------------------------------------------------ parser


def add_commands(sub) -> None:
    c = sub.add_parser("counter", help="the counter officer's window (login, call, serve, transfer)")
    c.add_argument("--counter", metavar="CODE", help="counter (loket) number; default: station config or choose")
    c.add_argument("--windowed", action="store_true", help="a normal window instead of maximised")
    c.add_argument("--user", metavar="U", help="log in as U at start (demo and tests)")
    c.add_argument("--pin", metavar="P", help="PIN for --user")
    c.add_argument("--lang", choices=("id", "en"), default="id", help="language (default Bahasa Indonesia)")
    c.set_defaults(func=cmd_counter)

    m = sub.add_parser("monitor", help="the supervisor's view of all counters and queues")
    m.add_argument("--windowed", action="store_true", help="a normal window instead of maximised")
    m.add_argument("--user", metavar="U", help="log in as U at start (demo and tests)")
    m.add_argument("--pin", metavar="P", help="PIN for --user")
    m.add_argument("--lang", choices=("id", "en"), default="id")
    m.set_defaults(func=cmd_monitor)

    u = sub.add_parser("user", help="officer accounts: add, passwd, disable, enable, role, list (admin login)")
    us = u.add_subparsers(dest="user_command", metavar="ACTION", parser_class=type(u))
    u.set_defaults(func=cmd_user_missing)
    a = us.add_parser("add", help="add an account (the PIN is read from stdin unless --pin)")
    a.add_argument("username")
    a.add_argument("--name", required=True, help="full name, as shown on the counter window")
    a.add_argument("--role", required=True, help="officer, supervisor or admin")
    a.add_argument("--pin", help="the new account's PIN: 4-8 digits, supervisor and admin 6-8 (avoid: it stays "
                                 "in the shell history)")
    _json_flag(a)
    a.set_defaults(func=cmd_user_add)
    p = us.add_parser("passwd", help="set a new PIN (lifts a lockout)")
    p.add_argument("username")
    p.add_argument("--pin", help="4-8 digits; default: read from stdin")
    _json_flag(p)
    p.set_defaults(func=cmd_user_passwd)
    d = us.add_parser("disable", help="stop an account from logging in")
    d.add_argument("username")
    _json_flag(d)
    d.set_defaults(func=cmd_user_disable)
    e = us.add_parser("enable", help="allow an account again and lift a lockout")
    e.add_argument("username")
    _json_flag(e)
    e.set_defaults(func=cmd_user_enable)
    r = us.add_parser("role", help="change an account's role (supervisor and admin need a new 6-8 digit PIN)")
    r.add_argument("username")
    r.add_argument("role", help="officer, supervisor or admin")
    r.add_argument("--pin", help="the new PIN; default: read from stdin or asked")
    _json_flag(r)
    r.set_defaults(func=cmd_user_role)
    for action in (a, p, d, e, r):
        action.add_argument("--as", dest="officer", metavar="ADMIN",
                            help="log in as this account (default: env MPP_USER, else asked); its PIN from "
                                 "env MPP_PIN, else asked without echo")
    li = us.add_parser("list", help="all accounts with role and state")
    _json_flag(li)
    li.set_defaults(func=cmd_user_list)

    au = sub.add_parser("audit", help="every recorded action of one day (officer, counter, time)")
    au.add_argument("--date", metavar="YYYY-MM-DD", help="the day (hall local time); default today")
    _json_flag(au)
    au.set_defaults(func=cmd_audit)
