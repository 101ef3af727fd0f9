"""The ticket layout, byte by byte, through python-escpos's Dummy printer."""

from __future__ import annotations

import re

import pytest
from escpos.printer import Dummy
from PIL import Image

from printer.layout import format_datetime_id, format_wait_id, printable_text, render, ticket_bytes
from printer.model import PAPER_58MM, PAPER_80MM, PaperProfile, profile_for
from tests.printer.conftest import make_ticket
from tests.printer.escpos_text import parse, texts

# Fixed python-escpos profiles (Seiko RP-F10 kiosk printers): cutter, native QR, CP437 in slot 0.
PROFILES = {"58mm": "RP-F10-58mm", "80mm": "RP-F10-80mm"}
PAPERS = [PAPER_58MM, PAPER_80MM]

LONG_AGENCY = (
    "Dinas Kependudukan dan Pencatatan Sipil Kota Tangerang (Pelayanan Administrasi "
    "Kependudukan Terpadu Satu Pintu)"
)
LONG_SERVICE = (
    "Perubahan Data Kartu Keluarga karena Pindah Datang Antar Kabupaten/Kota dan "
    "Penerbitan KTP-elektronik Pengganti yang Rusak atau Hilang"
)


def output(t, paper: PaperProfile, logo=None, profile=None) -> bytes:
    p = Dummy(profile=profile or PROFILES[paper.name])
    render(p, t, paper, logo)
    return p.output


def test_profile_for():
    assert profile_for("58mm") == PAPER_58MM and (PAPER_58MM.chars, PAPER_58MM.dots) == (32, 384)
    assert profile_for("80mm") == PAPER_80MM and (PAPER_80MM.chars, PAPER_80MM.dots) == (48, 576)


def test_init_comes_first_then_the_code_page():
    data = output(make_ticket(), PAPER_80MM)
    assert data.startswith(b"\x1b@\x1bt\x00")  # ESC @, then ESC t 0 (CP437)
    assert data.count(b"\x1bt") == 1  # no code page switching in the middle


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_header_and_labels_indonesian_first(paper):
    lines = texts(output(make_ticket(), paper))
    assert lines[0] == "MAL PELAYANAN PUBLIK"
    assert lines[1] == "KOTA TANGERANG"
    assert lines.index("NOMOR ANTREAN") + 1 == lines.index("Queue number")
    assert lines.index("Harap menunggu panggilan") < lines.index("Please wait to be called")
    assert "Antrean di depan Anda: 5" in lines
    assert "Sabtu, 28 November 2026 08.15" in lines
    assert "Terima kasih atas kunjungan Anda" in lines
    assert lines.index("Disdukcapil") + 1 == lines.index("KTP-el")


def test_estimated_wait_uses_plus_minus_in_cp437():
    data = output(make_ticket(eta_minutes=25), PAPER_80MM)
    assert b"Perkiraan waktu tunggu: \xf1 25 menit\n" in data


def test_hall_name_is_the_header_when_it_is_not_an_mpp_name():
    lines = texts(output(make_ticket(hall_name="Gerai Pelayanan Terpadu", city="Kota Uji"), PAPER_80MM))
    assert lines[:2] == ["GERAI PELAYANAN TERPADU", "KOTA UJI"]


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_number_is_printed_very_large_with_the_size_command_right_before(paper):
    data = output(make_ticket(number="K-012"), paper)
    m = re.search(rb"\x1d!(.)((?:\x1bE.|\x1ba.|\x1dB.)*)K-012\n", data, re.S)
    assert m, "GS ! n (with only style commands) must come right before the number"
    size = m.group(1)[0]
    width, height = (size >> 4) + 1, (size & 0x0F) + 1
    assert width >= 3 and height >= 3
    assert width * len("K-012") <= paper.chars
    line = next(ln for ln in parse(data).lines if ln.text == "K-012")
    assert line.bold and line.align == 1


def test_a_long_number_is_scaled_down_to_fit():
    data = output(make_ticket(number="PRIORITAS-K-0123"), PAPER_58MM)
    line = next(ln for ln in parse(data).lines if "K-0123" in ln.text)
    assert line.text == "PRIORITAS-K-0123" and line.cells <= 32 and line.widths == {2}


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_qr_code_native_store_then_print_centred(paper):
    t = make_ticket()
    data = output(t, paper)
    cmds = parse(data).commands
    qr = [(i, payload) for i, (name, payload) in enumerate(cmds) if name == "GS ( k"]
    fns = [payload[:2] for _, payload in qr]
    assert fns == [b"1A", b"1C", b"1E", b"1P", b"1Q"]  # model, size, EC, store, print
    assert qr[3][1] == b"1P0" + t.qr_text.encode()
    module = qr[1][1][2]
    assert 2 <= module <= 16
    modules = 29  # version 3 holds this URL at EC level M
    assert modules * module <= paper.dots
    first = qr[0][0]
    last_align = [payload for name, payload in cmds[:first] if name == "ESC a"][-1]
    assert last_align == b"\x01"  # centred with ESC a, not python-escpos center=True


def test_no_qr_command_without_qr_text():
    assert b"\x1d(k" not in output(make_ticket(qr_text=""), PAPER_80MM)


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_cut_at_the_end_after_a_feed(paper):
    data = output(make_ticket(), paper)
    assert data.endswith(b"\x1bd\x06\x1dV\x00")  # ESC d 6, GS V 0 (full cut)
    assert data.count(b"\x1dV") == 1


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_long_agency_and_service_wrap_within_the_paper(paper):
    t = make_ticket(agency=LONG_AGENCY, service=LONG_SERVICE, priority_label="Penyandang Disabilitas",
                    footer="Terima kasih atas kunjungan Anda. Mohon siapkan dokumen persyaratan "
                           "sebelum nomor antrean Anda dipanggil di loket.")  # fmt: skip
    parsed = parse(output(t, paper))
    for line in parsed.lines:
        assert line.cells <= paper.chars, f"{line.text!r} is {line.cells} cells wide"
    printed = " ".join(ln.text for ln in parsed.lines)
    for word in (LONG_AGENCY + " " + LONG_SERVICE).split():
        assert word in printed
    agency_lines = [ln for ln in parsed.lines if ln.text and ln.text in LONG_AGENCY]
    assert len(agency_lines) >= 3  # it really wrapped


def test_tm_t88iii_profile_narrows_80mm_lines_to_42_characters():
    t = make_ticket(agency=LONG_AGENCY, service=LONG_SERVICE)
    parsed = parse(output(t, PAPER_80MM, profile="TM-T88III"))
    assert max(ln.cells for ln in parsed.lines) == 42


def test_priority_mark_only_for_priority_tickets():
    with_mark = texts(output(make_ticket(priority_label="Lansia"), PAPER_80MM))
    assert " ** PRIORITAS: Lansia ** " in with_mark
    line = next(ln for ln in parse(output(make_ticket(priority_label="Lansia"), PAPER_80MM)).lines
                if "PRIORITAS" in ln.text)  # fmt: skip
    assert line.bold and line.invert
    assert not any("PRIORITAS" in s for s in texts(output(make_ticket(), PAPER_80MM)))


def test_reprint_and_test_markers():
    normal = texts(output(make_ticket(), PAPER_80MM))
    assert not any("CETAK ULANG" in s or "TES PRINTER" in s for s in normal)
    reprint = texts(output(make_ticket(reprint=True), PAPER_80MM))
    assert " CETAK ULANG " in reprint and "CETAK ULANG" in reprint
    test = texts(output(make_ticket(test=True), PAPER_58MM))
    assert " TES PRINTER " in test
    assert test.index("Bukan nomor antrean") + 1 == test.index("Not a queue number")


def test_text_outside_cp437_is_folded_not_fatal():
    t = make_ticket(agency="Dinas Sosial \u2013 \u201cBansos\u201d \U0001f600", service="Pengaduan\tBansos\u2026",
                    priority_label="Ibu Hamil", city="Kota Tangerang Selatan")  # fmt: skip
    data = output(t, PAPER_58MM)
    lines = texts(data)
    assert 'Dinas Sosial - "Bansos" ?' in lines
    assert "Pengaduan Bansos..." in lines
    assert data.count(b"\x1bt") == 1
    assert printable_text("Caf\u00e9 \u00b1 \u00e9") == "Caf\u00e9 \u00b1 \u00e9"  # CP437 has them


def test_logo_is_a_raster_image_no_wider_than_the_paper(tmp_path):
    logo = tmp_path / "logo.png"
    img = Image.new("RGBA", (1200, 300), (255, 255, 255, 0))
    img.paste((0, 60, 160, 255), (100, 50, 1100, 250))
    img.save(logo)
    for paper in PAPERS:
        data = output(make_ticket(), paper, logo=logo)
        images = [p for name, p in parse(data).commands if name == "GS v 0"]
        assert len(images) == 1
        width_bytes = images[0][1] | images[0][2] << 8
        height = images[0][3] | images[0][4] << 8
        assert width_bytes * 8 == paper.dots
        assert 0 < height <= paper.dots // 3
        assert data.index(b"\x1dv0") < data.index(b"MAL PELAYANAN PUBLIK")


def test_the_logo_is_prepared_once_and_again_when_its_file_changes(tmp_path, monkeypatch):
    import printer.layout as layout

    logo = tmp_path / "logo.png"
    img = Image.new("RGBA", (1200, 300), (255, 255, 255, 0))
    img.paste((0, 60, 160, 255), (100, 50, 1100, 250))
    img.save(logo)
    uncached = {paper.name: output(make_ticket(), paper, logo=logo) for paper in PAPERS}
    prepared = []
    real = layout.prepare_logo

    def counting(path, width, max_height):
        prepared.append((path, width))
        return real(path, width, max_height)

    layout._prepared_logo.cache_clear()
    monkeypatch.setattr(layout, "prepare_logo", counting)
    for _ in range(3):
        for paper in PAPERS:
            assert output(make_ticket(), paper, logo=logo) == uncached[paper.name]  # the same bytes
    assert len(prepared) == len(PAPERS)  # once per paper width, not once per ticket
    img.paste((0, 0, 0, 255), (0, 0, 1200, 300))  # a new logo under the same name
    img.save(logo)
    changed = output(make_ticket(), PAPER_80MM, logo=logo)
    assert len(prepared) == len(PAPERS) + 1 and changed != uncached[PAPER_80MM.name]


def test_ticket_bytes_is_render_on_a_dummy():
    t = make_ticket(priority_label="Lansia")
    assert ticket_bytes(t, PAPER_80MM, profile="RP-F10-80mm") == output(t, PAPER_80MM)


def test_indonesian_date_and_wait():
    t = make_ticket()
    assert format_datetime_id(t.issued_at) == "Sabtu, 28 November 2026 08.15"
    assert format_datetime_id(t.issued_at.replace(month=3, day=2, hour=14, minute=5)) == "Senin, 2 Maret 2026 14.05"
    assert format_wait_id(25).replace("\u00a0", " ") == "\u00b1 25 menit"
    assert format_wait_id(75).replace("\u00a0", " ") == "\u00b1 1 jam 15 menit"
    assert format_wait_id(0) == "segera"


def test_profile_without_cutter_gets_the_feed_but_no_cut_command():
    # python-escpos skips GS V when the profile has no cutter (POS-5890: a tear-off printer)
    data = output(make_ticket(), PAPER_58MM, profile="POS-5890")
    assert data.endswith(b"\x1bd\x06") and b"\x1dV" not in data
