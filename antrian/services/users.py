"""Officer accounts: add, change PIN, disable/enable, list, and log in with a PIN.

Use cases over the store port (no SQLAlchemy here). PINs are 4-8 digits for officers and 6-8
digits for supervisors and admins (``MIN_PIN_DIGITS``), stored as scrypt hashes
(antrian.services.auth). Five wrong PINs in a row lock the account for ``lock_minutes``; a good PIN
resets the count. Every login, failed login and lockout is appended to the events table in the
same transaction that updates the account, so `mpp audit` shows who tried what and when.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from antrian.domain.errors import QueueError
from antrian.domain.model import Event
from antrian.services.auth import hash_pin, verify_pin
from antrian.services.ports import Clock, QueueStore, QueueTx, SystemClock, UserRecord

ROLES = ("officer", "supervisor", "admin")
MAX_ATTEMPTS = 5
DEFAULT_LOCK_MINUTES = 5
PIN_RE = re.compile(r"^[0-9]{4,8}$")
# Supervisors and admins may cancel tickets, force-close counters and manage accounts: longer PINs.
MIN_PIN_DIGITS = {"officer": 4, "supervisor": 6, "admin": 6}
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")


# ------------------------------------------------------------------------------------- errors


class UnknownUser(QueueError):
    code = "unknown_user"
    exit_code = 6


class UserExists(QueueError):
    code = "user_exists"
    exit_code = 2


class BadUserInput(QueueError):
    """A bad username, full name, role or PIN (the message says which and why)."""

    code = "bad_user_input"
    exit_code = 2


class WrongPin(QueueError):
    code = "wrong_pin"
    exit_code = 8


class AccountLocked(QueueError):
    code = "account_locked"
    exit_code = 8


class AccountDisabled(QueueError):
    code = "account_disabled"
    exit_code = 8


class NotAllowed(QueueError):
    """The account's role may not do this (e.g. an officer opening the supervisor monitor)."""

    code = "not_allowed"
    exit_code = 8


# ------------------------------------------------------------------------------------ checks


def check_pin(pin: str, role: str = "officer") -> str:
    if not isinstance(pin, str) or not PIN_RE.match(pin):
        raise BadUserInput("a PIN is 4 to 8 digits (0-9)", field="pin")
    least = MIN_PIN_DIGITS.get(role, 4)
    if len(pin) < least:
        raise BadUserInput(f"a {role} PIN is {least} to 8 digits (0-9)", field="pin", role=role)
    return pin


def check_role(role: str) -> str:
    if role not in ROLES:
        raise BadUserInput(f"unknown role '{role}' (roles: {', '.join(ROLES)})", field="role", role=role)
    return role


def check_username(username: str) -> str:
    if not isinstance(username, str) or not USERNAME_RE.match(username):
        raise BadUserInput(
            f"'{str(username)[:40]}' is not a valid username: 2-40 characters, lowercase letters, digits, "
            "'.', '_' or '-', starting with a letter or digit",
            field="username",
        )
    return username


def require_role(user: UserRecord, *roles: str) -> UserRecord:
    if user.role not in roles:
        raise NotAllowed(
            f"'{user.username}' is {user.role}; this needs a {' or '.join(roles)} account",
            username=user.username, role=user.role, needs=roles,
        )
    return user


# ------------------------------------------------------------------------------------ service


class UserService:
    def __init__(self, store: QueueStore, clock: Clock | None = None, *, tz: tzinfo | None = None,
                 lock_minutes: int = DEFAULT_LOCK_MINUTES, max_attempts: int = MAX_ATTEMPTS):
        self.store = store
        self.clock = clock or SystemClock()
        self.tz = tz or timezone.utc
        self.lock_minutes = lock_minutes
        self.max_attempts = max_attempts

    # -------------------------------------------------------------- helpers
    def _event(self, tx: QueueTx, type_: str, now: datetime, officer: str | None,
               counter: str | None = None, **payload: Any) -> int:
        return tx.append_event(Event(type=type_, at=now, officer=officer, counter_code=counter, payload=payload))

    def _get(self, tx: QueueTx, username: str) -> UserRecord:
        user = tx.get_user(username)
        if user is None:
            raise UnknownUser(f"no user '{username}' (see `mpp user list`)", username=username)
        return user

    def local_time(self, at: datetime) -> str:
        return at.astimezone(self.tz).strftime("%H.%M")

    # -------------------------------------------------------------- accounts
    def add(self, username: str, full_name: str, role: str, pin: str, by: str | None = None) -> UserRecord:
        check_username(username)
        full_name = (full_name or "").strip()
        if not full_name or len(full_name) > 120:
            raise BadUserInput("the full name must be 1 to 120 characters", field="full_name")
        check_role(role)
        check_pin(pin, role)
        pin_hash = hash_pin(pin)  # slow on purpose: outside the write transaction
        now = self.clock.now()
        with self.store.transaction() as tx:
            if tx.get_user(username) is not None:
                raise UserExists(f"user '{username}' already exists (use `mpp user passwd` to change the PIN)",
                                 username=username)
            user = UserRecord(username=username, full_name=full_name, role=role, pin_hash=pin_hash)
            tx.save_user(user)
            self._event(tx, "user_added", now, by, username=username, role=role)
        return user

    def passwd(self, username: str, pin: str, by: str | None = None) -> UserRecord:
        check_pin(pin)
        with self.store.read() as tx:
            check_pin(pin, self._get(tx, username).role)
        pin_hash = hash_pin(pin)
        now = self.clock.now()
        with self.store.transaction() as tx:
            user = self._get(tx, username)
            check_pin(pin, user.role)  # the role may have changed meanwhile
            user = replace(user, pin_hash=pin_hash, failed_attempts=0, locked_until=None)
            tx.save_user(user)
            self._event(tx, "user_pin_changed", now, by, username=username)
        return user

    def set_role(self, username: str, role: str, by: str | None = None, pin: str | None = None) -> UserRecord:
        """Change the role. A supervisor or admin role needs a PIN of at least 6 digits, and the
        stored hash does not tell the old PIN's length: raising an account to one of those roles
        takes a new ``pin`` (set in the same transaction)."""
        check_role(role)
        pin_hash = None
        if MIN_PIN_DIGITS[role] > 4:
            if pin is None:
                raise BadUserInput(f"a {role} needs a new PIN of at least {MIN_PIN_DIGITS[role]} digits",
                                   field="pin", role=role)
            check_pin(pin, role)
            pin_hash = hash_pin(pin)
        elif pin is not None:
            check_pin(pin, role)
            pin_hash = hash_pin(pin)
        now = self.clock.now()
        with self.store.transaction() as tx:
            user = replace(self._get(tx, username), role=role)
            if pin_hash is not None:
                user = replace(user, pin_hash=pin_hash, failed_attempts=0, locked_until=None)
            tx.save_user(user)
            self._event(tx, "user_role_changed", now, by, username=username, role=role)
        return user

    def disable(self, username: str, by: str | None = None) -> UserRecord:
        return self._set_disabled(username, True, by)

    def enable(self, username: str, by: str | None = None) -> UserRecord:
        """Enable the account and lift any lockout."""
        return self._set_disabled(username, False, by)

    def _set_disabled(self, username: str, disabled: bool, by: str | None) -> UserRecord:
        now = self.clock.now()
        with self.store.transaction() as tx:
            user = replace(self._get(tx, username), disabled=disabled, failed_attempts=0, locked_until=None)
            tx.save_user(user)
            self._event(tx, "user_disabled" if disabled else "user_enabled", now, by, username=username)
        return user

    def get(self, username: str) -> UserRecord:
        with self.store.read() as tx:
            return self._get(tx, username)

    def list(self) -> list[UserRecord]:
        with self.store.read() as tx:
            return tx.list_users()

    def is_locked(self, user: UserRecord, now: datetime | None = None) -> bool:
        return user.locked_until is not None and user.locked_until > (now or self.clock.now())

    # -------------------------------------------------------------- login
    def login(self, username: str, pin: str, counter: str | None = None,
              roles: tuple[str, ...] | None = None, record_success: bool = True) -> UserRecord:
        """Check the PIN; returns the account or raises UnknownUser, WrongPin, AccountLocked,
        AccountDisabled (or NotAllowed when ``roles`` is given and the role is not among them).

        The attempt is recorded (account counters and an event) even when it fails: the error is
        raised after the transaction has committed. ``record_success=False`` (a command-line
        action, whose own event names the account) writes nothing for a good PIN unless a
        count of wrong PINs has to be reset."""
        username = (username or "").strip().lower()
        now = self.clock.now()
        # scrypt takes tens of milliseconds: verify outside the write transaction (SQLite holds
        # its write lock for the whole of BEGIN IMMEDIATE), then re-read the account to update it.
        with self.store.read() as tx:
            seen = tx.get_user(username)
        verified_hash = None
        if seen is not None and not seen.disabled and not self.is_locked(seen, now):
            if verify_pin(pin or "", seen.pin_hash):
                verified_hash = seen.pin_hash

        error: QueueError | None = None
        with self.store.transaction() as tx:
            user = tx.get_user(username)
            if user is None:
                self._event(tx, "login_failed", now, username or None, counter, reason="unknown_user")
                error = UnknownUser(f"no user '{username}'", username=username)
            elif user.disabled:
                self._event(tx, "login_failed", now, username, counter, reason="disabled")
                error = AccountDisabled(f"account '{username}' is disabled; ask an administrator",
                                        username=username)
            elif self.is_locked(user, now):
                self._event(tx, "login_failed", now, username, counter, reason="locked")
                error = self._locked_error(user)
            else:
                ok = verified_hash is not None and verified_hash == user.pin_hash
                if not ok and verified_hash is None and seen is not None and seen.pin_hash != user.pin_hash:
                    ok = verify_pin(pin or "", user.pin_hash)  # the PIN changed meanwhile
                if ok:
                    if roles and user.role not in roles:
                        self._event(tx, "login_failed", now, username, counter, reason="role", role=user.role)
                        try:
                            require_role(user, *roles)
                        except NotAllowed as e:
                            error = e
                    else:
                        if record_success or user.failed_attempts or user.locked_until is not None:
                            user = replace(user, failed_attempts=0, locked_until=None)
                            tx.save_user(user)
                        if record_success:
                            self._event(tx, "login", now, username, counter, role=user.role)
                else:
                    # one conditional UPDATE (failed_attempts + 1), never read-modify-write: parallel
                    # wrong PINs on several PCs each count (issue 10, 4)
                    until = now + timedelta(minutes=self.lock_minutes)
                    attempts = tx.record_failed_login(username, now, self.max_attempts, until)
                    if attempts is None:  # another attempt locked it meanwhile
                        locked = tx.get_user(username) or user
                        self._event(tx, "login_failed", now, username, counter, reason="locked")
                        error = self._locked_error(locked) if locked.locked_until else WrongPin(
                            f"wrong PIN for '{username}'", username=username, left=0)
                    elif attempts >= self.max_attempts:
                        user = replace(user, failed_attempts=0, locked_until=until)
                        self._event(tx, "login_failed", now, username, counter, reason="wrong_pin",
                                    attempt=attempts)
                        self._event(tx, "locked", now, username, counter, until=until,
                                    minutes=self.lock_minutes)
                        error = self._locked_error(user)
                    else:
                        user = replace(user, failed_attempts=attempts)
                        self._event(tx, "login_failed", now, username, counter, reason="wrong_pin",
                                    attempt=attempts)
                        left = self.max_attempts - attempts
                        error = WrongPin(
                            f"wrong PIN for '{username}': {left} attempt{'s' if left != 1 else ''} left "
                            f"before the account is locked for {self.lock_minutes} minutes",
                            username=username, left=left,
                        )
        if error is not None:
            raise error
        assert user is not None  # no user is an error above
        return user

    def _locked_error(self, user: UserRecord) -> AccountLocked:
        assert user.locked_until is not None  # only asked for a locked account
        until = self.local_time(user.locked_until)
        return AccountLocked(
            f"account '{user.username}' is locked until {until} after {self.max_attempts} wrong PINs; "
            "wait, or ask an administrator to run `mpp user enable`",
            username=user.username, until=until, locked_until=user.locked_until,
        )
