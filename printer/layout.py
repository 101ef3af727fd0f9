"""The ticket layout, written once as python-escpos calls.

``render(p, t, paper, logo)`` drives any ``escpos.escpos.Escpos``: a real printer, or a ``Dummy``
whose bytes the backends send in one piece and ``printer.preview`` turns into a PNG.

Conventions kept here:
- Only font A; sizes through ``set(custom_size=True, width=, height=)`` (GS !), never ESC !, so
  every size change is one explicit command.
- Text is folded to the characters the chosen code page has (ASCII lookalikes otherwise), and the
  code page is fixed right after ``hw("INIT")``, so the bytes do not depend on python-escpos guessing
  code pages. Only a profile with Epson numbering (CP437 = ESC t 0) gets CP437; any other
  (e.g. POS-5890, whose table says CP437 = 52 while many 58 mm printers number pages the Epson way)
  gets plain ASCII and no code page command at all.
- What the profile cannot do is not sent: a raster QR code (an image) where the profile has no
  native QR, the cut only where it has a cutter.
- Every text line is wrapped with ``textwrap`` to the characters that fit at its magnification.
"""

from __future__ import annotations

import textwrap
import unicodedata
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from printer.model import PaperProfile, PrinterError, TicketPrint

if TYPE_CHECKING:  # importing escpos loads its printer database from disk: keep it out of import time
    from escpos.escpos import Escpos
    from PIL.Image import Image

DAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip

NBSP = "\u00a0"  # keeps "± 25 menit" together when wrapping; printed as a plain space
QR_EC = "M"  # error correction of the printed QR code (survives a crumpled ticket)
LOGO_MAX_HEIGHT_FRACTION = 1 / 3  # the logo may be at most this tall, relative to the width

_FALLBACK = {
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'",
    "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u2022": "*", "\u00b7": ".",
    "\u00b1": "+/-", "\u00d7": "x", "\u00b0": "o", "\u00bd": "1/2",
}  # fmt: skip


def format_datetime_id(dt: datetime) -> str:
    """'Sabtu, 28 November 2026 08.15' (Indonesian style: day name, time with a dot)."""
    return f"{DAYS_ID[dt.weekday()]}, {dt.day} {MONTHS_ID[dt.month - 1]} {dt.year} {dt:%H.%M}"


def format_wait_id(minutes: int) -> str:
    """'± 25 menit', '± 1 jam 5 menit', 'segera' (spaces are non-breaking)."""
    if minutes <= 0:
        return "segera"
    hours, mins = divmod(minutes, 60)
    parts = ([f"{hours}{NBSP}jam"] if hours else []) + ([f"{mins}{NBSP}menit"] if mins else [])
    return f"±{NBSP}" + NBSP.join(parts)


def printable_area(p: "Escpos", paper: PaperProfile) -> tuple[int, int]:
    """(characters, dots) per line: the paper's, narrowed to the printer profile when it knows
    its width (a TM-T88III prints 42 characters / 512 dots on 80 mm paper, not 48 / 576)."""
    chars, dots = paper.chars, paper.dots
    try:
        px = int(p.profile.profile_data["media"]["width"]["pixels"])
    except (KeyError, TypeError, ValueError):
        return chars, dots  # profile does not know its width ("default"): trust the paper
    dots = min(dots, px)
    try:
        chars = min(chars, int(p.profile.get_columns("a")))
    except Exception:  # profile without font data
        pass
    return chars, dots


def printable_text(text: str, codepage: str | None = "CP437") -> str:
    """Fold text to characters ``codepage`` can print (None: ASCII only); others become ASCII
    lookalikes or '?'."""
    out: list[str] = []
    for ch in text:
        if ch == NBSP or (" " <= ch <= "~"):
            out.append(ch)
        elif ch in "\t\r\n\v\f":
            out.append(" ")
        elif ord(ch) < 32 or 127 <= ord(ch) < 160:
            continue  # control characters: drop
        elif codepage and _in_codepage(ch, codepage):
            out.append(ch)
        elif ch in _FALLBACK:
            out.append(_FALLBACK[ch])
        else:
            folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
            out.append(folded or "?")
    return "".join(out)


def _in_codepage(ch: str, codepage: str) -> bool:
    try:
        ch.encode(codepage.lower())
    except UnicodeEncodeError:
        return False
    return True


def wrap(text: str, width: int, codepage: str | None = "CP437") -> list[str]:
    """Lines of at most ``width`` characters (long words are broken); NBSP printed as space."""
    width = max(1, width)
    lines = textwrap.wrap(
        printable_text(text, codepage), width, break_long_words=True, break_on_hyphens=False
    ) or [""]
    return [line.replace(NBSP, " ") for line in lines]


def qr_modules(text: str) -> int:
    """Modules per side of the smallest QR code holding ``text`` at ``QR_EC``."""
    import qrcode
    import qrcode.constants

    ec = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M}[QR_EC]
    code = qrcode.QRCode(version=None, error_correction=ec, border=0)
    code.add_data(text)
    # the version only (what make(fit=True) starts with): building the matrix and trying its 8
    # masks cost ~80 % of a ticket's layout, and a native QR code is drawn by the printer
    return 17 + 4 * int(code.best_fit())


def prepare_logo(path: Path, width: int, max_height: int) -> "Image":
    """The logo as a 1-bit image exactly ``width`` dots wide, centred, at most ``max_height`` tall."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(path) as src:
            src.load()
            rgba = src.convert("RGBA")
    except (OSError, ValueError) as e:
        raise PrinterError(
            "config", f"cannot read the logo image {path} ({e}): fix or remove [printer] logo"
        ) from None
    flat = PILImage.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat.alpha_composite(rgba)
    grey = flat.convert("L")
    bbox = PILImage.eval(grey, lambda v: 255 - v).getbbox()  # trim white margins
    if bbox:
        grey = grey.crop(bbox)
    scale = min(width / grey.width, max_height / grey.height)
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    bw = grey.resize(size, PILImage.Resampling.LANCZOS).convert("1")  # Floyd-Steinberg dither
    canvas = PILImage.new("1", (width, size[1]), 1)
    canvas.paste(bw, ((width - size[0]) // 2, 0))
    return canvas


def prepared_logo(path: Path, width: int, max_height: int) -> "Image":
    """``prepare_logo``, done once per logo file (path, size and modification time) and size: a
    kiosk prints the same logo on every ticket, and preparing it (decode, trim, resize, dither)
    takes longer than the rest of the ticket's layout. A copy: the caller may change it."""
    try:
        st = path.stat()
    except OSError:
        return prepare_logo(path, width, max_height)  # the same clear error as before
    return _prepared_logo(str(path), st.st_mtime_ns, st.st_size, width, max_height).copy()


@lru_cache(maxsize=8)
def _prepared_logo(path: str, _mtime_ns: int, _size: int, width: int, max_height: int) -> "Image":
    return prepare_logo(Path(path), width, max_height)


DEFAULT_PROFILES = {"58mm": "RP-F10-58mm", "80mm": "RP-F10-80mm"}  # kiosk printers: cutter, native QR


def ticket_bytes(t: TicketPrint, paper: PaperProfile, logo: Path | None = None,
                 profile: str | None = None) -> bytes:  # fmt: skip
    """The exact bytes ``render`` produces for ``t``, through a python-escpos ``Dummy``.

    ``profile`` is the python-escpos capability profile (PrinterSettings.profile); by default one
    whose print width matches the paper.
    """
    from escpos.printer import Dummy

    p = Dummy(profile=profile or DEFAULT_PROFILES.get(paper.name))
    render(p, t, paper, logo)
    return p.output


def ticket_codepage(p: "Escpos") -> str | None:
    """The code page the ticket is printed in: "CP437" when the profile numbers it the Epson way
    (ESC t 0), else None (plain ASCII, no code page command: every page has ASCII)."""
    try:
        pages = p.profile.get_code_pages()
    except Exception:
        return None
    return "CP437" if str(pages.get("CP437")) == "0" else None


def has_native_qr(p: "Escpos") -> bool:
    return bool(p.profile.supports("qrCode"))


def can_cut(p: "Escpos") -> bool:
    return bool(p.profile.supports("paperFullCut") or p.profile.supports("paperPartCut"))


def qr_image(text: str, box: int, width: int) -> "Image":
    """The QR code as a 1-bit image ``width`` dots wide, the code centred, ``box`` dots a module
    (a quiet zone of 2 modules above and below; the paper's margins do the sides)."""
    import qrcode
    import qrcode.constants
    from PIL import Image as PILImage

    ec = {"L": qrcode.constants.ERROR_CORRECT_L, "M": qrcode.constants.ERROR_CORRECT_M}[QR_EC]
    code = qrcode.QRCode(version=None, error_correction=ec, box_size=box, border=2)
    code.add_data(text)
    code.make(fit=True)
    img = code.make_image().get_image().convert("1")
    canvas = PILImage.new("1", (width, img.height), 1)
    canvas.paste(img, (max(0, (width - img.width) // 2), 0))
    return canvas


def render(p: "Escpos", t: TicketPrint, paper: PaperProfile, logo: Path | None = None) -> None:
    """Print ticket ``t`` on ``p`` (Bahasa Indonesia first, English second), then cut.

    Text wraps at ``printable_area(p, paper)``. The code page is ``ticket_codepage(p)``: pinned
    with ``p.charcode("CP437")``, or ASCII with python-escpos's code page switching turned off.
    The QR code is native where the profile has ``qrCode``, else a raster image; the cut is sent
    only when the profile has a cutter (``paperFullCut``/``paperPartCut``), else the paper is fed.
    """
    from escpos.constants import QR_ECLEVEL_L, QR_ECLEVEL_M
    from escpos.magicencode import MagicEncode

    cols, dots = printable_area(p, paper)
    codepage = ticket_codepage(p)

    def style(*, bold: bool = False, w: int = 1, h: int = 1, invert: bool = False) -> None:
        p.set(align="center", bold=bold, invert=invert, custom_size=True, width=w, height=h)

    def lines(text: str, *, bold: bool = False, w: int = 1, h: int = 1, invert: bool = False,
              pad: bool = False) -> None:  # fmt: skip
        style(bold=bold, w=w, h=h, invert=invert)
        for line in wrap(text, cols // w - (2 if pad else 0), codepage):
            p.textln(f" {line} " if pad else line)

    def rule() -> None:
        style()
        p.textln("-" * cols)

    p.hw("INIT")
    if codepage:
        p.charcode(codepage)  # pin the code page (ESC t 0: INIT selects it on the printer too)
    else:
        # ASCII only: tell python-escpos the page is known so that it never sends ESC t
        p.magic = MagicEncode(p, encoding="CP437", disabled=True)

    if logo is not None:
        p.set(align="center")
        img = prepared_logo(logo, dots, max(24, int(dots * LOGO_MAX_HEIGHT_FRACTION)))
        p.image(img, impl="bitImageRaster", center=False)
        p.ln()

    # Hall header
    name, city = t.hall_name.strip(), t.city.strip()
    if city and (not name or name.upper().startswith("MAL PELAYANAN PUBLIK")):
        head, sub = "MAL PELAYANAN PUBLIK", city.upper()
    else:
        head = (name or "MAL PELAYANAN PUBLIK").upper()
        sub = city.upper() if city and city.upper() not in head else ""
    lines(head, bold=True, w=2 if 2 * len(head) <= cols else 1, h=2)
    if sub:
        lines(sub, bold=True)

    if t.test:
        p.ln()
        lines("TES PRINTER", bold=True, w=2, h=2, invert=True, pad=True)
        lines("Bukan nomor antrean", bold=True)
        lines("Not a queue number")
    if t.reprint:
        p.ln()
        lines("CETAK ULANG", bold=True, h=2, invert=True, pad=True)
        lines("Reprint")
    rule()

    # The number
    lines("NOMOR ANTREAN", bold=True, h=2)
    lines("Queue number")
    p.ln()
    number = printable_text(t.number.strip(), codepage)
    scale = max(1, min(paper.number_scale, 8, cols // max(1, len(number))))
    lines(number, bold=True, w=scale, h=scale)
    p.ln()
    if t.priority_label:
        lines(f"** PRIORITAS: {t.priority_label.strip()} **", bold=True, invert=True, pad=True)
        p.ln()
    lines(t.agency, bold=True)
    lines(t.service, bold=True, h=2)
    rule()

    # Waiting (or, on a reprint of a ticket already called or served, what happened to it)
    if t.state_lines:
        lines(t.state_lines[0], bold=True)
        for extra in t.state_lines[1:]:
            lines(extra)
    else:
        lines("Harap menunggu panggilan", bold=True)
        lines("Please wait to be called")
        if t.where:
            lines(f"di {t.where}", bold=True)
        p.ln()
        lines(f"Antrean di depan Anda: {t.ahead}")
        lines(f"Perkiraan waktu tunggu: {format_wait_id(t.eta_minutes)}")
    lines(format_datetime_id(t.issued_at))

    # Requirements (persyaratan) of the service: a short list, left aligned
    if t.requirements:
        rule()
        lines("Siapkan persyaratan:", bold=True)
        p.set(align="left", bold=False, custom_size=True, width=1, height=1)
        for item in t.requirements:
            for i, line in enumerate(wrap(item, cols - 2, codepage)):
                p.textln(("- " if i == 0 else "  ") + line)

    # QR code: python-escpos refuses center=True with native=True; ESC a centres it instead.
    if t.qr_text:
        p.ln()
        style()
        size = max(1, min(16, int(dots * paper.qr_fraction) // qr_modules(t.qr_text)))
        if has_native_qr(p):
            ec = {"L": QR_ECLEVEL_L, "M": QR_ECLEVEL_M}[QR_EC]
            p.qr(t.qr_text, ec=ec, size=size, native=True)
        else:  # the profile cannot draw QR codes: send it as a raster image
            p.image(qr_image(t.qr_text, size, dots), impl="bitImageRaster", center=False)
        p.ln()
        if t.qr_text.startswith(("http://", "https://")):
            lines("Pindai untuk cek status antrean")
            lines("Scan to check your queue status")

    if t.footer.strip():
        p.ln()
        lines(t.footer, bold=True)
    if t.reprint or t.test:
        lines("CETAK ULANG" if t.reprint else "TES PRINTER", bold=True)
    style()
    if can_cut(p):
        p.cut()
    else:
        p.print_and_feed(6)  # no cutter: feed the ticket past the tear bar
