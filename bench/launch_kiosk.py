"""Bench-only start of `mpp kiosk`: prints ``MPP_FIRST_FRAME <epoch>`` at the first painted frame,
then quits ``exit_ms`` later (the product has no such exit).

    python -m bench.launch_kiosk EXIT_MS [mpp arguments ...]
"""

from __future__ import annotations

import sys
import time


def main() -> int:
    from mpp.cli import main as mpp_main

    exit_ms = int(sys.argv[1])

    def first_frame_exit(kind: str, window) -> None:
        from PySide6.QtCore import QTimer

        def report() -> None:
            print(f"MPP_FIRST_FRAME {time.time():.6f}", flush=True)
            QTimer.singleShot(exit_ms, window, window.exit_kiosk)

        window.first_frame.connect(report)

    return mpp_main(sys.argv[2:], window_hooks=(first_frame_exit,))


if __name__ == "__main__":
    sys.exit(main())
