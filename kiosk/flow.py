"""The kiosk's timing and guard rules, without Qt (``KioskWindow`` asks, then shows):

- the double-tap guard: a touch that lands within ``tap_guard_s`` of a screen change is
  swallowed (the second touch of a double tap must not press the next screen's button);
- the result countdown: how many seconds the result screen has left;
- the PIN lock: after ``PIN_MAX_FAILURES`` wrong PINs in a row the pad is locked for
  ``PIN_LOCK_SECONDS``;
- the idle reset: whether the kiosk has anything to reset when nobody touched it for a while;
- the one-ticket-at-a-time rule: ``busy`` while an issue (or a PIN check) is in flight.

``monotonic`` is a clock in seconds (``time.monotonic`` in the product, a fake in the tests).
"""

from __future__ import annotations

import time
from typing import Callable

PIN_MAX_FAILURES = 5
PIN_LOCK_SECONDS = 60


class KioskFlow:
    def __init__(self, *, tap_guard_s: float = 0.35, monotonic: Callable[[], float] | None = None,
                 pin_max_failures: int = PIN_MAX_FAILURES, pin_lock_s: float = PIN_LOCK_SECONDS):
        self.monotonic = monotonic or time.monotonic
        self.tap_guard_s = tap_guard_s
        self.pin_max_failures = pin_max_failures
        self.pin_lock_s = pin_lock_s
        self.busy = False
        self._screen_changed_at: float | None = None
        self._result_deadline = 0.0
        self._pin_failures = 0
        self._pin_locked_until: float | None = None

    # ------------------------------------------------------------------ double-tap guard
    def screen_changed(self) -> None:
        """The screen (or what sits under the finger) just changed."""
        self._screen_changed_at = self.monotonic()

    def guard_left(self) -> float:
        """Seconds until a touch is no longer taken for the second touch of a double tap."""
        if self._screen_changed_at is None:
            return 0.0
        return max(0.0, self.tap_guard_s - (self.monotonic() - self._screen_changed_at))

    def swallows_touch(self) -> bool:
        """True when a touch now is the second touch of a double tap and must be ignored."""
        if self._screen_changed_at is None:
            return False
        return self.monotonic() - self._screen_changed_at < self.tap_guard_s

    # ------------------------------------------------------------------ result countdown
    def start_result(self, seconds: float) -> None:
        self._result_deadline = self.monotonic() + seconds

    def result_left(self) -> float:
        """Seconds the result screen still has (<= 0: go home)."""
        return self._result_deadline - self.monotonic()

    # ------------------------------------------------------------------ PIN lock
    def pin_locked(self) -> bool:
        return self._pin_locked_until is not None and self.monotonic() < self._pin_locked_until

    def pin_checked(self, valid: bool) -> str:
        """Record a PIN check: "ok", "wrong" or "locked" (the failure that locked the pad)."""
        if valid:
            self._pin_failures = 0
            return "ok"
        self._pin_failures += 1
        if self._pin_failures >= self.pin_max_failures:
            self._pin_failures = 0
            self._pin_locked_until = self.monotonic() + self.pin_lock_s
            return "locked"
        return "wrong"

    # ------------------------------------------------------------------ idle
    def idle_action(self, *, on_home: bool, group: str | None, lang: str, default_lang: str,
                    message_shown: bool) -> str:
        """What an idle timeout does: "wait" (an action is in flight: try again later), "reset"
        (back to the start screen in the default language) or "nothing" (already there)."""
        if self.busy:
            return "wait"
        if not on_home or group or lang != default_lang or message_shown:
            return "reset"
        return "nothing"
