"""The preview: the layout's own bytes drawn on a strip of paper, saved as PNG."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import qrcode
import qrcode.constants
from PIL import Image

from printer.layout import ticket_bytes
from printer.model import PAPER_58MM, PAPER_80MM, PaperProfile
from printer.preview import PreviewError, image_from_escpos, render_png
from tests.printer.conftest import make_ticket

OUT = Path(__file__).resolve().parents[2] / "out" / "tickets"  # gitignored; look at these


def qr_matrix(text: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def find_qr(img: Image.Image, text: str, module: int) -> tuple[int, int] | None:
    """Top-left corner of a QR code of ``text`` drawn with ``module``-dot modules, centred, whose
    every module matches the code the qrcode library builds for it (so it reads as ``text``)."""
    grey = img.convert("L")
    px = grey.load()
    matrix = qr_matrix(text)
    size = len(matrix) * module
    x0 = (img.width - size) // 2
    half = module // 2
    for y0 in range(0, img.height - size):
        if not all(px[x0 + dx, y0] < 128 for dx in range(0, 7 * module)):
            continue  # not the top edge of the left finder pattern
        if all(
            (px[x0 + c * module + half, y0 + r * module + half] < 128) == matrix[r][c]
            for r in range(len(matrix))
            for c in range(len(matrix))
        ):
            return x0, y0
    return None


def module_size(data: bytes) -> int:
    m = re.search(rb"\x1d\(k\x03\x001C(.)", data, re.S)
    assert m
    return m.group(1)[0]


@pytest.mark.parametrize("paper", [PAPER_58MM, PAPER_80MM], ids=lambda p: p.name)
def test_ticket_png_has_the_paper_width_and_a_readable_qr(paper: PaperProfile, tmp_path):
    t = make_ticket(priority_label="Lansia")
    path = render_png(t, paper, OUT / f"ticket-{paper.name}.png")
    assert path.is_file()
    img = Image.open(path)
    assert img.width == paper.dots
    assert 900 < img.height < 3000  # a ticket, not a receipt roll or a stub
    module = module_size(ticket_bytes(t, paper))
    corner = find_qr(img, t.qr_text, module)
    assert corner is not None, "no QR code of the ticket's qr_text in the image"
    x0, y0 = corner
    size = len(qr_matrix(t.qr_text)) * module
    region = img.convert("L").crop((x0, y0, x0 + size, y0 + size))
    dark = sum(region.histogram()[:128])
    assert 0.3 < dark / (size * size) < 0.7
    assert y0 > img.height // 2  # below the number and the waiting information
    try:  # a real decoder, where one is installed (pyzbar + libzbar0)
        from pyzbar.pyzbar import decode
    except ImportError:
        return
    assert [d.data.decode() for d in decode(img)] == [t.qr_text]


def test_big_number_is_drawn_larger_than_body_text():
    data = ticket_bytes(make_ticket(), PAPER_80MM)
    img = image_from_escpos(data, PAPER_80MM).convert("L")
    rows = [y for y in range(img.height) if any(img.getpixel((x, y)) < 128 for x in range(img.width))]
    # find runs of ink rows: the tallest text run is the number (6x magnification = 144 dots)
    runs, start = [], rows[0]
    for a, b in zip(rows, rows[1:] + [None]):
        if b != a + 1:
            runs.append(a - start + 1)
            start = b
    assert max(runs) >= 100


def test_centred_text_is_centred():
    data = ticket_bytes(make_ticket(number="A-001"), PAPER_58MM)
    img = image_from_escpos(data, PAPER_58MM).convert("L")
    y = 40  # inside the first header line
    ink = [x for x in range(img.width) if img.getpixel((x, y)) < 128]
    left, right = ink[0], img.width - 1 - ink[-1]
    assert abs(left - right) <= 14


def test_preview_draws_raster_logo_and_cut(tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("L", (200, 100), 0).save(logo)
    data = ticket_bytes(make_ticket(), PAPER_80MM, logo)
    img = image_from_escpos(data, PAPER_80MM).convert("L")
    # the logo is a black block 192 dots tall (576 / 3), centred, near the top
    assert img.getpixel((PAPER_80MM.dots // 2, 60)) == 0
    assert img.getpixel((5, 60)) == 255
    # the cut is a dashed grey line at the very end
    last = [img.getpixel((x, img.height - 12)) for x in range(0, 64)]
    assert 128 in last and 255 in last


def test_unknown_commands_are_refused():
    with pytest.raises(PreviewError):
        image_from_escpos(b"\x1b@\x1c&abc\n", PAPER_58MM)  # FS & (Chinese mode)


def test_lines_past_the_paper_width_wrap_like_the_printer():
    img = image_from_escpos(b"\x1b@" + b"X" * 40 + b"\n", PAPER_58MM)  # 32 + 8 characters
    two_lines = image_from_escpos(b"\x1b@X\nX\n", PAPER_58MM)
    assert img.height == two_lines.height


def test_without_dejavu_the_default_pil_font_is_used(monkeypatch, tmp_path):
    import printer.preview as preview

    monkeypatch.setattr(preview, "FONT_REGULAR", tmp_path / "missing.ttf")
    monkeypatch.setattr(preview, "FONT_BOLD", tmp_path / "missing-bold.ttf")
    preview._font.cache_clear()
    preview._glyph.cache_clear()
    try:
        img = image_from_escpos(ticket_bytes(make_ticket(), PAPER_58MM), PAPER_58MM)
        assert img.width == PAPER_58MM.dots
        assert img.convert("L").getextrema()[0] == 0  # text was drawn
    finally:
        preview._font.cache_clear()
        preview._glyph.cache_clear()
