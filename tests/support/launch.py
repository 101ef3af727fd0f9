"""Start a real `mpp` station process with the test-only automation driver injected.

    python -m tests.support.launch [mpp arguments ...]

runs exactly what the `mpp` console script runs (``mpp.cli.main``), passing a window hook that
attaches :class:`tests.support.automation.Automation` to each station window when it is built.
The product itself has no switch that turns the driver on.
"""

from __future__ import annotations

import sys


def attach_automation(kind: str, window) -> None:
    from tests.support import automation

    handlers = {
        "kiosk": automation.kiosk_handlers,
        "counter": automation.counter_handlers,
        "monitor": automation.counter_handlers,
        "display": automation.display_handlers,
    }[kind]
    on_quit = window.exit_kiosk if kind == "kiosk" else window.close
    window._automation = automation.Automation(handlers(window), window, on_quit=on_quit)


def main() -> int:
    from mpp.cli import main as mpp_main

    return mpp_main(sys.argv[1:], window_hooks=(attach_automation,))


if __name__ == "__main__":
    sys.exit(main())
