"""A small ESC/POS reader for the layout tests, written apart from printer.preview on purpose.

It knows exactly the commands a ticket may contain and fails on anything else, and it gives
back the printed lines with their magnification, so a test can check what the paper shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Line:
    text: str = ""
    cells: int = 0  # width in font-A character cells (magnification included)
    widths: set[int] = field(default_factory=set)
    heights: set[int] = field(default_factory=set)
    bold: bool = False
    invert: bool = False
    align: int = 0


@dataclass
class Parsed:
    lines: list[Line]
    commands: list[tuple[str, bytes]]  # ("ESC @", b""), ("GS ( k", payload), ("TEXT", b"..."), ...


def parse(data: bytes, codepage: str = "cp437") -> Parsed:
    lines: list[Line] = []
    cmds: list[tuple[str, bytes]] = []
    cur = Line()
    w = h = 1
    bold = invert = False
    align = 0
    i = 0
    while i < len(data):
        b = data[i]
        if b == 0x1B:
            c = chr(data[i + 1])
            if c == "@":
                cmds.append(("ESC @", b""))
                w = h = 1
                bold = invert = False
                align = 0
                i += 2
            elif c in "taEd":
                arg = data[i + 2]
                cmds.append((f"ESC {c}", bytes([arg])))
                if c == "a":
                    align = arg
                elif c == "E":
                    bold = bool(arg)
                elif c == "d":
                    for _ in range(arg):
                        lines.append(Line())
                i += 3
            else:
                raise AssertionError(f"unexpected ESC {c!r} at {i}")
        elif b == 0x1D:
            c = chr(data[i + 1])
            if c == "!":
                arg = data[i + 2]
                w, h = (arg >> 4) + 1, (arg & 0x0F) + 1
                cmds.append(("GS !", bytes([arg])))
                i += 3
            elif c == "B":
                invert = bool(data[i + 2])
                cmds.append(("GS B", data[i + 2 : i + 3]))
                i += 3
            elif c == "V":
                m = data[i + 2]
                n = 4 if m in (65, 66) else 3
                cmds.append(("GS V", data[i + 2 : i + n]))
                i += n
            elif c == "(":
                k = chr(data[i + 2])
                ln = data[i + 3] | data[i + 4] << 8
                cmds.append((f"GS ( {k}", data[i + 5 : i + 5 + ln]))
                i += 5 + ln
            elif c == "v":
                assert data[i + 2] == ord("0")
                wb = data[i + 4] | data[i + 5] << 8
                hh = data[i + 6] | data[i + 7] << 8
                cmds.append(("GS v 0", data[i + 3 : i + 8]))
                i += 8 + wb * hh
            else:
                raise AssertionError(f"unexpected GS {c!r} at {i}")
        elif b == 0x0A:
            lines.append(cur)
            cur = Line()
            i += 1
        elif b < 0x20:
            raise AssertionError(f"unexpected control byte {b:#04x} at {i}")
        else:
            j = i
            while j < len(data) and data[j] >= 0x20:
                j += 1
            text = data[i:j].decode(codepage)
            cmds.append(("TEXT", data[i:j]))
            if not cur.text:
                cur.align, cur.bold, cur.invert = align, bold, invert
            cur.text += text
            cur.cells += len(text) * w
            cur.widths.add(w)
            cur.heights.add(h)
            i = j
    if cur.text:
        lines.append(cur)
    return Parsed(lines, cmds)


def texts(data: bytes) -> list[str]:
    return [ln.text for ln in parse(data).lines if ln.text]
