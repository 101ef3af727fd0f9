"""``mpp serve`` (the hall web server), ``mpp api-key`` and ``mpp notify failures``. Imports no
web framework until a command runs."""

from __future__ import annotations

import argparse

from antrian.domain.errors import UsageError


def _port(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 1 <= v <= 65535:
        raise argparse.ArgumentTypeError(f"port {v} must be between 1 and 65535")
    return v


def add_commands(sub) -> None:
    s = sub.add_parser("serve", help="the hall web server: live ticket pages, hall board, notifications, API")
    s.add_argument("--host", help="address to listen on (default: [web] host of the hall file, 0.0.0.0)")
    s.add_argument("--port", type=_port, help="port (default: [web] port of the hall file, 8080)")
    s.set_defaults(func=cmd_serve)

    k = sub.add_parser("api-key", help="API keys of /api/v1")
    ks = k.add_subparsers(dest="key_command", metavar="ACTION")
    a = ks.add_parser("add", help="create a key (printed once)")
    a.add_argument("--name", required=True, help="who uses it, e.g. kota-app")
    a.add_argument("--scope", required=True, choices=("read", "write"), help="read, or write (includes read)")
    a.set_defaults(func=cmd_key_add)
    ks.add_parser("list", help="the keys (never their secrets)").set_defaults(func=cmd_key_list)
    r = ks.add_parser("revoke", help="revoke a key by name or key id")
    r.add_argument("key", help="name or key id")
    r.set_defaults(func=cmd_key_revoke)
    k.set_defaults(func=lambda args: _usage("api-key needs an action: add, list or revoke"))

    n = sub.add_parser("notify", help="citizen notifications (Beri tahu saya)")
    ns = n.add_subparsers(dest="notify_command", metavar="ACTION")
    f = ns.add_parser("failures", help="messages that could not be sent")
    f.add_argument("--limit", type=int, default=50)
    f.set_defaults(func=cmd_notify_failures)
    n.set_defaults(func=lambda args: _usage("notify needs an action: failures"))


def _usage(msg: str) -> int:
    raise UsageError(msg)


def _store(args):
    from antrian.storage.web_store import WebStore
    from mpp.cli import context_from

    ctx = context_from(args)
    return ctx, WebStore(ctx.queue.store)


def cmd_serve(args) -> int:
    from mpp.cli import context_from
    from web.server import serve

    return serve(context_from(args), args.host, args.port)


def cmd_key_add(args) -> int:
    from mpp.cli import emit

    ctx, store = _store(args)
    name = args.name.strip()
    if not name or len(name) > 60:
        raise UsageError("--name must be 1 to 60 characters")
    if any(k.name == name for k in store.list_api_keys()):
        raise UsageError(f"an API key named '{name}' already exists (revoke it or choose another name)")
    key, secret = store.add_api_key(name, args.scope, ctx.queue.clock.now())
    emit(args, {"name": key.name, "key_id": key.key_id, "scopes": list(key.scopes), "key": secret},
         f"API key '{key.name}' ({', '.join(key.scopes)}): {secret}\nShown only now: store it safely. "
         f"Send it as 'Authorization: Bearer {secret[:12]}...'.")
    return 0


def cmd_key_list(args) -> int:
    from mpp.cli import emit

    _, store = _store(args)
    keys = store.list_api_keys()
    rows = [{"name": k.name, "key_id": k.key_id, "scopes": list(k.scopes), "created_at": k.created_at,
             "last_used_at": k.last_used_at, "revoked_at": k.revoked_at} for k in keys]
    lines = [f"{k.name:<24} {k.key_id:<10} {','.join(k.scopes):<11} "
             f"{'revoked' if k.revoked_at else 'active'}  last used {k.last_used_at or '-'}" for k in keys]
    emit(args, rows, "\n".join(lines) or "no API keys (add one with `mpp api-key add --scope read --name NAME`)")
    return 0


def cmd_key_revoke(args) -> int:
    from mpp.cli import emit

    ctx, store = _store(args)
    if not store.revoke_api_key(args.key, ctx.queue.clock.now()):
        raise UsageError(f"no active API key named '{args.key}'")
    emit(args, {"revoked": args.key}, f"API key '{args.key}' revoked")
    return 0


def cmd_notify_failures(args) -> int:
    from mpp.cli import emit

    _, store = _store(args)
    rows = store.failures(max(1, args.limit))
    data = [{"id": f.id, "day": f.service_day, "number": f.number, "kind": f.kind, "attempts": f.attempts,
             "error": f.last_error, "at": f.created_at} for f in rows]
    lines = [f"{f.service_day} {f.number:<8} {f.kind:<7} {f.attempts} tries  {f.last_error}" for f in rows]
    emit(args, data, "\n".join(lines) or "no failed notifications")
    return 0
