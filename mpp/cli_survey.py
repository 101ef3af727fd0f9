"""``mpp survey --counter 17``: the citizen-facing SKM screen beside a counter. Imports no Qt:
the window is imported when it runs."""

from __future__ import annotations

import argparse


def _seconds(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of seconds") from None
    if not 5 <= v <= 600:
        raise argparse.ArgumentTypeError(f"{v} s must be between 5 and 600")
    return v


def add_commands(sub) -> None:
    s = sub.add_parser("survey", help="the SKM survey screen for citizens at one counter")
    s.add_argument("--counter", required=True, metavar="CODE", help="loket number whose finished tickets it follows")
    s.add_argument("--timeout", type=_seconds, default=45, metavar="S",
                   help="seconds without a touch before it resets (default 45)")
    s.add_argument("--windowed", action="store_true", help="a normal window instead of full screen (testing)")
    s.add_argument("--lang", choices=("id", "en"), default="id")
    s.set_defaults(func=cmd_survey)


def cmd_survey(args) -> int:
    from mpp.cli import context_from

    ctx = context_from(args)
    if ctx.hall.find_counter(str(args.counter)) is None:  # one line, before any window opens
        from antrian.domain.errors import UsageError

        known = ", ".join(c.code for c in ctx.hall.counters)
        raise UsageError(f"unknown counter '{args.counter}' (counters: {known})")
    from counter.survey_screen import run_survey_screen

    return run_survey_screen(ctx, args)
