"""UI tests run offscreen; screenshots go to out/screenshots/ (gitignored) for people to open."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"


@pytest.fixture(autouse=True)
def _data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def shot():
    """shot(widget, "kiosk-home") saves out/screenshots/kiosk-home.png and returns the path."""
    from qtshared.common import save_screenshot

    def _shot(widget, name: str) -> Path:
        return save_screenshot(widget, SCREENSHOTS / f"{name}.png")

    return _shot
