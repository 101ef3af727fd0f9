"""Ticket preview: an ESC/POS interpreter that draws the bytes ``layout.render`` produces.

The preview is the printed bytes, rendered, so the layout exists once. It understands the
commands python-escpos emits for a ticket (and ignores a few harmless ones); anything else raises
``PreviewError`` so a layout change the preview cannot show is noticed in the tests.

Model of the printer: font A cells of ``paper.char_dots`` x 24 dots, GS ! / ESC ! magnification,
ESC a alignment taken at the start of a line, characters of a line bottom-aligned, automatic wrap
at the paper width, GS v 0 raster images and GS ( k QR codes aligned by ESC a, GS V drawn as a
dashed line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from printer.model import PaperProfile, TicketPrint

if TYPE_CHECKING:
    from PIL.Image import Image

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSansMono.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSansMono-Bold.ttf"

CELL_HEIGHT = 24  # font A: 12 x 24 dots
DEFAULT_LINE_SPACING = 30  # ESC 2: 1/6 inch at 180/203 dpi, in dots
TOP_MARGIN = 16
# ESC t n -> Python codec (the slots python-escpos uses for its Epson profiles)
CODEPAGES = {0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252",
             17: "cp866", 18: "cp862", 19: "cp858"}  # fmt: skip

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C


class PreviewError(ValueError):
    """The bytes contain a command the preview does not know."""


@dataclass(frozen=True)
class _Style:
    bold: bool = False
    underline: int = 0
    width: int = 1
    height: int = 1
    invert: bool = False


@dataclass
class _State:
    style: _Style = field(default_factory=_Style)
    align: int = 0  # 0 left, 1 centre, 2 right
    codepage: int = 0
    line_spacing: int = DEFAULT_LINE_SPACING
    qr_data: bytes = b""
    qr_size: int = 3
    qr_ec: int = 0  # 48 + n: L, M, Q, H


# ------------------------------------------------------------------------------------------
# glyphs


@lru_cache(maxsize=8)
def _font(bold: bool, size: int):
    from PIL import ImageFont

    for path in ((FONT_BOLD, FONT_REGULAR) if bold else (FONT_REGULAR,)):
        try:
            return ImageFont.truetype(str(path), size), path == FONT_BOLD or not bold
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=size), not bold
    except TypeError:  # Pillow < 10.1: a fixed bitmap font
        return ImageFont.load_default(), not bold


@lru_cache(maxsize=4096)
def _glyph(char: str, cell_w: int, style: _Style) -> "Image":
    """One character cell at its magnified size, black on white (or inverted)."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    sup = max(style.width, style.height) * 2  # draw large, then scale to the cell
    w, h = cell_w * sup, CELL_HEIGHT * sup
    font, real_bold = _font(style.bold, int(round(20 * sup * cell_w / 12)))
    img = PILImage.new("L", (w, h), 0 if style.invert else 255)
    draw = ImageDraw.Draw(img)
    ink = 255 if style.invert else 0
    if char.strip():
        try:
            left, _, right, _ = draw.textbbox((0, 0), char, font=font)
            x = (w - (right - left)) / 2 - left
        except Exception:
            x = 0
        for dx in ((0,) if real_bold else (0, sup)):  # fake bold with a second stroke
            draw.text((x + dx, 19 * sup), char, font=font, fill=ink, anchor="ls")
    if style.underline:
        thick = style.underline * sup
        draw.rectangle((0, h - thick - sup, w, h - sup), fill=ink)
    return img.resize((cell_w * style.width, CELL_HEIGHT * style.height), PILImage.Resampling.LANCZOS)


# ------------------------------------------------------------------------------------------
# the interpreter


class _Paper:
    def __init__(self, paper: PaperProfile) -> None:
        from PIL import Image as PILImage

        self._pil = PILImage
        self.width = paper.dots
        self.cell_w = paper.char_dots
        self.bands: list[Image] = [PILImage.new("L", (self.width, TOP_MARGIN), 255)]
        self.line: list[tuple[str, _Style]] = []
        self.line_x = 0
        self.line_align = 0

    # text -----------------------------------------------------------------------------
    def put(self, text: str, st: _State) -> None:
        for ch in text:
            w = self.cell_w * st.style.width
            if not self.line:
                self.line_align = st.align
            if self.line_x + w > self.width:  # the printer wraps a full line by itself
                self.newline(st)
                self.line_align = st.align
            self.line.append((ch, st.style))
            self.line_x += w

    def newline(self, st: _State) -> None:
        if not self.line:
            self.feed(st.line_spacing)
            return
        cells = [_glyph(ch, self.cell_w, style) for ch, style in self.line]
        text_h = max(c.height for c in cells)
        band_h = max(st.line_spacing, text_h + (DEFAULT_LINE_SPACING - CELL_HEIGHT))
        band = self._pil.new("L", (self.width, band_h), 255)
        x = self._x_for(self.line_x, self.line_align)
        for cell in cells:
            band.paste(cell, (x, text_h - cell.height))  # bottom-aligned
            x += cell.width
        self.bands.append(band)
        self.line, self.line_x = [], 0

    def flush(self, st: _State) -> None:
        if self.line:
            self.newline(st)

    # blocks ---------------------------------------------------------------------------
    def feed(self, dots: int) -> None:
        if dots > 0:
            self.bands.append(self._pil.new("L", (self.width, dots), 255))

    def block(self, img: "Image", align: int) -> None:
        img = img.convert("L")
        if img.width > self.width:  # the printer drops what is past the print area
            img = img.crop((0, 0, self.width, img.height))
        band = self._pil.new("L", (self.width, img.height), 255)
        band.paste(img, (self._x_for(img.width, align), 0))
        self.bands.append(band)

    def cut(self) -> None:
        band = self._pil.new("L", (self.width, 24), 255)
        from PIL import ImageDraw

        draw = ImageDraw.Draw(band)
        for x in range(0, self.width, 16):
            draw.line((x, 12, x + 8, 12), fill=128, width=2)  # grey: not ink
        self.bands.append(band)

    def _x_for(self, width: int, align: int) -> int:
        if align == 1:
            return max(0, (self.width - width) // 2)
        if align == 2:
            return max(0, self.width - width)
        return 0

    def image(self) -> "Image":
        total = sum(b.height for b in self.bands)
        out = self._pil.new("L", (self.width, total), 255)
        y = 0
        for b in self.bands:
            out.paste(b, (0, y))
            y += b.height
        return out


def _qr_image(data: bytes, module: int, ec_byte: int) -> "Image":
    import qrcode
    import qrcode.constants as c

    ec = {48: c.ERROR_CORRECT_L, 49: c.ERROR_CORRECT_M, 50: c.ERROR_CORRECT_Q,
          51: c.ERROR_CORRECT_H}.get(ec_byte, c.ERROR_CORRECT_L)  # fmt: skip
    code = qrcode.QRCode(version=None, error_correction=ec, box_size=max(1, module), border=0)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("L")


def _raster(data: bytes, width_bytes: int, height: int, mode: int) -> "Image":
    from PIL import Image as PILImage

    img = PILImage.frombytes("1", (width_bytes * 8, height), data, "raw", "1;I")
    if mode & 1:
        img = img.resize((img.width * 2, img.height))
    if mode & 2:
        img = img.resize((img.width, img.height * 2))
    return img


def image_from_escpos(data: bytes, paper: PaperProfile) -> "Image":
    """Draw ESC/POS ``data`` on a strip of ``paper`` (width = paper.dots); grey-scale PIL image."""
    st = _State()
    out = _Paper(paper)
    i, n = 0, len(data)

    def need(k: int) -> bytes:
        if i + k > n:
            raise PreviewError(f"truncated command at byte {i}: {data[i:i + 8]!r}")
        return data[i : i + k]

    while i < n:
        b = data[i]
        if b == ESC:
            cmd = need(2)[1]
            if cmd == 0x40:  # ESC @ initialise
                out.flush(st)
                st = _State()
                i += 2
            elif cmd == 0x32:  # ESC 2 default line spacing
                st.line_spacing = DEFAULT_LINE_SPACING
                i += 2
            elif cmd in b"taE-!MdJ3G{R= ":
                arg = need(3)[2]
                i += 3
                if cmd == ord("t"):
                    st.codepage = arg
                elif cmd == ord("a"):
                    st.align = {48: 0, 49: 1, 50: 2}.get(arg, arg if arg in (0, 1, 2) else 0)
                elif cmd == ord("E"):
                    st.style = replace(st.style, bold=bool(arg & 1))
                elif cmd == ord("-"):
                    st.style = replace(st.style, underline={48: 0, 49: 1, 50: 2}.get(arg, arg % 3))
                elif cmd == ord("!"):
                    st.style = replace(
                        st.style, bold=bool(arg & 0x08), underline=1 if arg & 0x80 else 0,
                        width=2 if arg & 0x20 else 1, height=2 if arg & 0x10 else 1,
                    )  # fmt: skip
                elif cmd == ord("d"):
                    out.flush(st)
                    out.feed(arg * st.line_spacing)
                elif cmd == ord("J"):
                    out.flush(st)
                    out.feed(arg)
                elif cmd == ord("3"):
                    st.line_spacing = arg
                # M (font), G (double strike), { (upside down), R, =, space: no visible effect here
            elif cmd == ord("c"):  # ESC c 5 n (panel buttons) and similar
                need(4)
                i += 4
            elif cmd == ord("p"):  # cash drawer pulse
                need(5)
                i += 5
            else:
                raise PreviewError(f"unsupported command ESC {cmd:#04x} at byte {i}")
        elif b == GS:
            cmd = need(2)[1]
            if cmd == ord("!"):
                arg = need(3)[2]
                st.style = replace(st.style, width=(arg >> 4 & 7) + 1, height=(arg & 7) + 1)
                i += 3
            elif cmd == ord("B"):
                st.style = replace(st.style, invert=bool(need(3)[2] & 1))
                i += 3
            elif cmd in b"b|":  # smoothing, density
                need(3)
                i += 3
            elif cmd == ord("V"):
                m = need(3)[2]
                i += 4 if m in (65, 66, 97, 98, 103, 104) else 3
                out.flush(st)
                out.cut()
            elif cmd == ord("v"):  # GS v 0 m xL xH yL yH d...
                hdr = need(8)
                if hdr[2] != ord("0"):
                    raise PreviewError(f"unsupported command GS v {hdr[2]:#04x} at byte {i}")
                wb, h = hdr[4] | hdr[5] << 8, hdr[6] | hdr[7] << 8
                i += 8
                body = need(wb * h)
                i += wb * h
                out.flush(st)
                out.block(_raster(body, wb, h, hdr[3]), st.align)
            elif cmd == ord("("):
                hdr = need(5)
                fn_len = hdr[3] | hdr[4] << 8
                body = data[i + 5 : i + 5 + fn_len]
                if len(body) < fn_len:
                    raise PreviewError(f"truncated GS ( command at byte {i}")
                i += 5 + fn_len
                if hdr[2] == ord("k") and body[:1] == b"1":  # QR code (cn = 49)
                    fn = body[1]
                    if fn == 67:
                        st.qr_size = body[2]
                    elif fn == 69:
                        st.qr_ec = body[2]
                    elif fn == 80:
                        st.qr_data = bytes(body[3:])
                    elif fn == 81:
                        out.flush(st)
                        if st.qr_data:
                            out.block(_qr_image(st.qr_data, st.qr_size, st.qr_ec), st.align)
                elif hdr[2] not in (ord("k"), ord("L"), ord("E")):
                    raise PreviewError(f"unsupported command GS ( {chr(hdr[2])} at byte {i}")
            else:
                raise PreviewError(f"unsupported command GS {cmd:#04x} at byte {i}")
        elif b == DLE:  # real-time status requests: nothing printed
            need(3)
            i += 3
        elif b == FS:
            raise PreviewError(f"unsupported command FS at byte {i}")
        elif b == 0x0A or b == 0x0C:  # LF, FF
            out.newline(st)
            i += 1
        elif b == 0x09:  # HT: next multiple of 8 columns
            col = out.line_x // out.cell_w
            out.put(" " * (8 - col % 8), st)
            i += 1
        elif b < 0x20:  # CR and other controls: no effect in standard mode
            i += 1
        else:
            j = i
            while j < n and data[j] >= 0x20:
                j += 1
            out.put(data[i:j].decode(CODEPAGES.get(st.codepage, "cp437"), "replace"), st)
            i = j
    out.flush(st)
    return out.image()


def ticket_image(t: TicketPrint, paper: PaperProfile, logo: Path | None = None,
                 profile: str | None = None) -> "Image":  # fmt: skip
    """The ticket as printed: ``layout.render`` through a Dummy, then drawn by the interpreter."""
    from printer.layout import ticket_bytes

    return image_from_escpos(ticket_bytes(t, paper, logo, profile), paper)


def render_png(t: TicketPrint, paper: PaperProfile, path: Path | str, logo: Path | None = None,
               profile: str | None = None) -> Path:  # fmt: skip
    """Render ticket ``t`` as the printer would print it and save it as a PNG at ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    img = ticket_image(t, paper, logo, profile)
    tmp = path.with_name(path.name + ".part")
    img.save(tmp, format="PNG")
    tmp.replace(path)
    return path
