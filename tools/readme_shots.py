"""Copy the screenshots and tickets the tests saved under out/ into docs/screenshots/ for the
README, scaled down to keep the repository small. Run after `make test` (or `make screenshots`)."""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SHOTS = {
    "kiosk-home-landscape": 1200, "kiosk-home-portrait": 540, "kiosk-agency-refused": 1200,
    "kiosk-priority-agencies": 1200, "kiosk-result": 1200, "kiosk-result-print-failed": 1200,
    "kiosk-staff": 1200, "kiosk-home-offline": 1200,
    "counter-login": 900, "counter-called": 1000, "counter-transfer-dialog": 700, "counter-guard-dialog": 700,
    "counter-offline": 1000, "monitor": 1200,
    "display-1080": 1400, "display-zone": 1200, "display-offline": 1200,
}
TICKETS = {"ticket-58mm": 300, "ticket-80mm": 380}


def main() -> int:
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    missing = []
    for folder, names in ((ROOT / "out" / "screenshots", SHOTS), (ROOT / "out" / "tickets", TICKETS)):
        for name, width in names.items():
            src = folder / f"{name}.png"
            if not src.exists():
                missing.append(str(src))
                continue
            img = Image.open(src).convert("RGB")
            if img.width > width:
                img = img.resize((width, round(img.height * width / img.width)), Image.LANCZOS)
            img.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(out / f"{name}.png", optimize=True)
    for m in missing:
        print(f"missing: {m}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
