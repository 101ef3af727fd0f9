"""`mpp demo`: the whole hall on one PC.

With a screen: kiosk, hall display and two counter windows (demo officers logged in) on the
embedded SQLite database with the preview printer. With no screen (or --headless): a simulated
hall day, so `make demo` shows something useful on a server too."""

from __future__ import annotations

import os


def has_screen() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or os.name == "nt"


def run(args) -> int:
    from kiosk.cli import context_from

    if args.headless or not has_screen():
        from kiosk.simulate import SimulationConfig, run_simulation

        if not args.headless:
            print("No screen found (DISPLAY is not set): running a simulated hall day instead of the windows.")
        ctx = context_from(args)
        result = run_simulation(ctx, SimulationConfig(), progress=print)
        print(result.table())
        return 0
    try:
        from kiosk.ui.demo_windows import run_demo
    except ImportError:
        from kiosk.domain.errors import UsageError

        raise UsageError("the demo windows are not available in this build; try `mpp demo --headless`") from None
    return run_demo(context_from(args))
