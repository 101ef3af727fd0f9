"""Printer capability profiles (issue 15, point 10): native QR only where the profile has it (a
raster image otherwise), the cut only where there is a cutter, and only characters the chosen code
page has. Byte-exact against python-escpos ``Dummy``."""

from __future__ import annotations

import pytest

from printer.layout import can_cut, has_native_qr, printable_text, qr_image, render, ticket_codepage
from printer.model import PAPER_58MM, PAPER_80MM
from tests.printer.conftest import make_ticket

QR_NATIVE = b"\x1d(k"  # GS ( k: the printer draws the code
RASTER = b"\x1dv0"  # GS v 0: a raster image
FULL_CUT = b"\x1dV\x00"
PART_CUT = b"\x1dV\x01"
CODEPAGE = b"\x1bt"  # ESC t n


def _bytes(profile: str, paper=PAPER_58MM, **ticket) -> bytes:
    from escpos.printer import Dummy

    p = Dummy(profile=profile)
    render(p, make_ticket(**ticket), paper)
    return p.output


def test_pos5890_gets_raster_qr_no_cut_and_ascii_without_codepage_command():
    from escpos.printer import Dummy

    p = Dummy(profile="POS-5890")
    assert not has_native_qr(p) and not can_cut(p) and ticket_codepage(p) is None
    out = _bytes("POS-5890")
    assert QR_NATIVE not in out and RASTER in out
    assert FULL_CUT not in out and PART_CUT not in out and b"\x1dVB" not in out
    assert CODEPAGE not in out  # page 52 means something else on Epson-numbered printers
    # every text byte is 7-bit: "+/- 25 menit" instead of a "±" the printer may not have
    assert b"+/- 25 menit" in out
    text = out[: out.index(RASTER)]  # everything before the QR image is text and commands
    assert all(b < 0x80 for b in text)


def test_raster_qr_is_the_qrcode_image_byte_exact():
    from escpos.printer import Dummy

    t = make_ticket()
    out = _bytes("POS-5890")
    expected = Dummy(profile="POS-5890")
    from printer.layout import qr_modules

    size = max(1, min(16, int(384 * PAPER_58MM.qr_fraction) // qr_modules(t.qr_text)))
    expected.image(qr_image(t.qr_text, size, 384), impl="bitImageRaster", center=False)
    assert expected.output in out


def test_qr_image_is_centred_and_scannable_size():
    img = qr_image("https://mpp.example/t/X", 5, 384)
    assert img.width == 384 and img.mode == "1"
    box = img.point(lambda v: 255 - v).getbbox()  # black area
    left, right = box[0], img.width - box[2]
    assert abs(left - right) <= 5  # centred within one module


@pytest.mark.parametrize("profile,paper", [("RP-F10-80mm", PAPER_80MM), ("TM-T88III", PAPER_80MM),
                                           ("RP-F10-58mm", PAPER_58MM)])
def test_capable_profiles_get_native_qr_cut_and_cp437(profile, paper):
    out = _bytes(profile, paper)
    assert QR_NATIVE in out and RASTER not in out
    assert FULL_CUT in out or PART_CUT in out
    assert out.count(CODEPAGE) == 1 and CODEPAGE + b"\x00" in out  # CP437, Epson numbering
    assert "±".encode("cp437") in out


def test_printable_text_per_codepage():
    assert printable_text("± 25 menit – “ok”", None) == '+/- 25 menit - "ok"'
    assert printable_text("± 25 menit", "CP437") == "± 25 menit"
    assert printable_text("Café", None) == "Cafe" and printable_text("Café", "CP437") == "Café"
    assert printable_text("€", None) == "?"
