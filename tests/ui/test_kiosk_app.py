"""The kiosk as `mpp kiosk` builds it: from a station config (preview printer shown on screen),
and a printer config error stopping it with one line."""

from __future__ import annotations

import pytest

from antrian.domain.errors import UsageError
from tests.ui.kiosk_helpers import tap
from tests.conftest import ONE_COUNTER_HALL_TOML

pytestmark = pytest.mark.ui



@pytest.fixture
def make_ctx(tmp_path):
    from antrian.bootstrap import build_context

    hall = tmp_path / "hall.toml"
    hall.write_text(ONE_COUNTER_HALL_TOML, encoding="utf-8")

    def make(printer_toml: str, kiosk_toml: str = ""):
        station = tmp_path / "station.toml"
        station.write_text(f"[printer]\n{printer_toml}\n[kiosk]\n{kiosk_toml}\n", encoding="utf-8")
        return build_context(db=f"sqlite:///{tmp_path / 'k.sqlite3'}", config=str(hall), station=str(station))

    return make


def test_station_kiosk_with_preview_shown(qtbot, qapp, make_ctx, tmp_path):
    from kiosk.app import TicketPreview, create_kiosk

    folder = tmp_path / "tickets"
    ctx = make_ctx(f'backend = "preview"\npreview_dir = "{folder}"\npreview_show = true',
                   'language = "en"\nresult_seconds = 5')
    w = create_kiosk(ctx, qapp, windowed=True)
    qtbot.addWidget(w)
    try:
        w.resize(1280, 800)
        w.show()
        assert w.lang == "en" and w.result_ms == 5000
        qtbot.waitUntil(lambda: w.online is True, timeout=10000)
        w.tap_guard_s = 0.0  # the double-tap guard has its own test; these taps are deliberate
        tap(w.home.tiles["dukcapil"])
        tap(w.agency.buttons["ktp"])
        qtbot.waitUntil(lambda: w.result.print_state == "printed", timeout=10000)
        assert len(list(folder.glob("*K-001*.png"))) == 1
        preview = w.findChild(TicketPreview)
        qtbot.waitUntil(lambda: preview.isVisible(), timeout=5000)
        assert not preview.pixmap().isNull()
    finally:
        w.shutdown(wait=True)
        w.translations.set_language("en")
        ctx.close()


def test_printer_config_error_stops_with_one_line(qapp, make_ctx):
    from kiosk.app import create_kiosk

    ctx = make_ctx('backend = "preview"\nlogo = "no-such-logo.png"')
    with pytest.raises(UsageError, match="logo"):
        create_kiosk(ctx, qapp)
    ctx.close()
