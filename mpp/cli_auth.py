"""Who runs a state-changing `mpp` command: an officer login (username + PIN) checked against the
accounts, with the role the command needs. The authenticated username is what the events record.

The username comes from ``--officer`` (or ``--as``), else ``MPP_USER``, else it is asked on the
terminal; the PIN from ``MPP_PIN``, else asked on the terminal without echo (getpass). Without a
terminal and without the variables the command refuses (exit 2). A wrong PIN, a locked or disabled
account or a role that may not do it: exit 8. A failed attempt is a `login_failed` event and five
wrong PINs lock the account as at the counter window; a good one writes nothing of its own (the
command's event records the account).

Bootstrap: while the database has no admin account, `mpp user add NAME --role admin` needs no
login (it creates the first admin); every other account command needs an admin login.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from antrian.domain.errors import UsageError

ENV_USER = "MPP_USER"
ENV_PIN = "MPP_PIN"
ANY_ROLE = ("officer", "supervisor", "admin")
SUPERVISOR = ("supervisor", "admin")
ADMIN = ("admin",)
USERNAME_PROMPT = "Nama pengguna / Username: "
PIN_PROMPT = "PIN {username}: "


def _tty() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _ask(prompt: str, secret: bool) -> str:
    try:
        return getpass.getpass(prompt) if secret else input(prompt)
    except EOFError:
        raise UsageError("no login given (input ended)") from None


def _no_login(what: str) -> UsageError:
    return UsageError(f"{what} needs an officer login: run it in a terminal to be asked, or set "
                      f"{ENV_USER} and {ENV_PIN}")


def credentials(args: Any, what: str) -> tuple[str, str]:
    """(username, PIN) from --officer / MPP_USER / prompt and MPP_PIN / getpass."""
    username = (getattr(args, "officer", None) or os.environ.get(ENV_USER) or "").strip()
    if not username:
        if not _tty():
            raise _no_login(what)
        username = _ask(USERNAME_PROMPT, secret=False).strip()
        if not username:
            raise UsageError("no username given; nothing was done")
    pin = os.environ.get(ENV_PIN)
    if pin is None:
        if not _tty():
            raise _no_login(what)
        pin = _ask(PIN_PROMPT.format(username=username), secret=True)
    return username, pin.strip()


def login(args: Any, ctx: Any, roles: tuple[str, ...], what: str, counter: str | None = None):
    """Log in for one command; returns the UserRecord (raises WrongPin, AccountLocked,
    AccountDisabled, UnknownUser, NotAllowed: exit codes 6/8, one line)."""
    from antrian.services.users import UserService, check_username

    username, pin = credentials(args, what)
    check_username(username.lower())
    users = UserService(ctx.queue.store, ctx.queue.clock, tz=ctx.hall.tz)
    # no `login` event for a good PIN: the command's own event names the account, and a refused
    # command leaves the database unchanged; wrong PINs are recorded and count towards the lockout
    return users.login(username, pin, counter=counter, roles=roles, record_success=False)


def has_admin(ctx: Any) -> bool:
    from antrian.services.users import UserService

    users = UserService(ctx.queue.store, ctx.queue.clock, tz=ctx.hall.tz)
    return any(u.role == "admin" for u in users.list())
