"""Touch widgets of the kiosk: big buttons, agency tiles, service buttons, the busy and message
overlays, the PIN pad, banners and the QR code. They hold no texts of their own (the screens set
and translate every text) and know nothing of the queue.

Why this module is over 400 lines: it is a dozen small classes (none much over 100 lines) that
every screen shares, kept together with ``Metrics`` and ``stylesheet`` so the kiosk's sizes and
look are decided in one place."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.text import darker, text_colour_for, touch_px

# ------------------------------------------------------------------------------------ palette
# Every text/background pair below has a contrast ratio of at least 4.5:1 (checked in tests).
BG = "#f4f6f9"
INK = "#111111"
MUTED = "#3d4752"
PRIMARY = "#0b4f9c"
PRIORITY = "#6a1b9a"
PRIORITY_BG = "#f3e8f8"
REFUSED_BG = "#e4e6ea"
REFUSED_INK = "#3a3f45"
REFUSED_REASON = "#a01818"
WARN_BG = "#fff1c2"
WARN_INK = "#4a3500"
ERROR_BG = "#b3141b"
ERROR_INK = "#ffffff"
OK_INK = "#1b5e20"

PAIRS = {
    "ink/bg": (INK, BG),
    "muted/bg": (MUTED, BG),
    "white/primary": ("#ffffff", PRIMARY),
    "white/priority": ("#ffffff", PRIORITY),
    "priority/priority_bg": (PRIORITY, PRIORITY_BG),
    "refused_ink/refused_bg": (REFUSED_INK, REFUSED_BG),
    "refused_reason/refused_bg": (REFUSED_REASON, REFUSED_BG),
    "warn": (WARN_INK, WARN_BG),
    "error": (ERROR_INK, ERROR_BG),
    "ok/white": (OK_INK, "#ffffff"),
    "muted/white": (MUTED, "#ffffff"),
}


@dataclass(frozen=True)
class Metrics:
    """Sizes in pixels for one screen. Text is never below 24 px."""

    touch: int = 120  # minimum height of anything tapped (20 mm, at least 120 px)
    small: int = 24
    body: int = 28
    large: int = 34
    title: int = 42
    clock: int = 56
    number: int = 190

    @classmethod
    def for_screen(cls, screen) -> "Metrics":
        dpi = screen.physicalDotsPerInch() if screen is not None else 96.0
        return cls(touch=touch_px(dpi))


def stylesheet(m: Metrics) -> str:
    return f"""
    QWidget#KioskRoot, QStackedWidget, QScrollArea, QScrollArea > QWidget > QWidget {{ background: {BG}; }}
    QWidget {{ color: {INK}; font-size: {m.body}px; }}
    QLabel {{ background: transparent; }}
    QLabel[role="title"] {{ font-size: {m.title}px; font-weight: bold; }}
    QLabel[role="subtitle"] {{ font-size: {m.body}px; color: {MUTED}; }}
    QLabel[role="section"] {{ font-size: {m.large}px; font-weight: bold; }}
    QLabel[role="small"] {{ font-size: {m.small}px; color: {MUTED}; }}
    QLabel[role="clock"] {{ font-size: {m.clock}px; font-weight: bold; }}
    QLabel[role="date"] {{ font-size: {m.body}px; color: {MUTED}; }}
    QLabel[role="number"] {{ font-size: {m.number}px; font-weight: bold; color: {PRIMARY}; }}
    QLabel[role="warnbox"] {{ background: {WARN_BG}; color: {WARN_INK}; border: 3px solid #c79a00;
        border-radius: 12px; padding: 12px 18px; font-size: {m.large}px; font-weight: bold; }}
    QLabel[role="okbox"] {{ background: #e8f5e9; color: {OK_INK}; border-radius: 12px;
        padding: 12px 18px; font-size: {m.large}px; font-weight: bold; }}
    QLabel[role="infobox"] {{ background: #e8eef7; color: {PRIMARY}; border-radius: 12px;
        padding: 12px 18px; font-size: {m.large}px; font-weight: bold; }}
    QLabel[role="danger"] {{ background: {ERROR_BG}; color: {ERROR_INK}; border-radius: 10px;
        padding: 10px 16px; font-size: {m.body}px; font-weight: bold; }}
    QPushButton {{ min-height: {m.touch}px; border-radius: 14px; padding: 8px 24px;
        font-size: {m.large}px; font-weight: bold; border: none; }}
    QPushButton[kind="primary"] {{ background: {PRIMARY}; color: white; }}
    QPushButton[kind="primary"]:pressed {{ background: {darker(PRIMARY, 0.6)}; }}
    QPushButton[kind="secondary"] {{ background: white; color: {PRIMARY}; border: 3px solid {PRIMARY}; }}
    QPushButton[kind="secondary"]:pressed {{ background: #cfd9ea; }}
    QPushButton[kind="priority"] {{ background: {PRIORITY}; color: white; }}
    QPushButton[kind="priority"]:pressed {{ background: {darker(PRIORITY, 0.6)}; }}
    QPushButton[kind="danger"] {{ background: {ERROR_BG}; color: white; }}
    QPushButton[kind="danger"]:pressed {{ background: {darker(ERROR_BG, 0.6)}; }}
    QPushButton[kind="key"] {{ background: white; color: {INK}; border: 3px solid #8a96a3;
        font-size: {m.title}px; min-width: {m.touch}px; }}
    QPushButton[kind="key"]:pressed {{ background: #cfd9ea; }}
    QPushButton[kind="service"] {{ background: white; border: 3px solid {PRIMARY}; text-align: left; }}
    QPushButton[kind="service"]:pressed {{ background: #cfd9ea; border-color: {darker(PRIMARY, 0.6)}; }}
    QPushButton[kind="refused"] {{ background: {REFUSED_BG}; border: 3px dashed #8a8f96; }}
    QPushButton[kind="refused"]:pressed {{ background: #d0d3d8; }}
    QLineEdit {{ min-height: {m.touch - 12}px; font-size: {m.large}px; padding: 6px 12px;
        border: 3px solid #8a96a3; border-radius: 10px; background: white; }}
    QScrollBar:vertical {{ width: 28px; }}
    """


def set_role(label: QLabel, role: str) -> QLabel:
    label.setProperty("role", role)
    label.style().unpolish(label)
    label.style().polish(label)
    return label


def make_label(text: str = "", role: str | None = None, wrap: bool = True,
               align: Qt.AlignmentFlag | None = None) -> QLabel:
    lab = QLabel(text)
    lab.setWordWrap(wrap)
    lab.setTextFormat(Qt.TextFormat.PlainText)
    if role:
        lab.setProperty("role", role)
    if align is not None:
        lab.setAlignment(align)
    return lab


def make_button(text: str, kind: str = "primary") -> QPushButton:
    b = QPushButton(text)
    b.setProperty("kind", kind)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setCursor(Qt.CursorShape.PointingHandCursor)
    return b


def set_kind(button: QPushButton, kind: str) -> None:
    if button.property("kind") != kind:
        button.setProperty("kind", kind)
        button.style().unpolish(button)
        button.style().polish(button)
        for child in button.findChildren(QLabel):
            child.style().unpolish(child)
            child.style().polish(child)


class _LabelButton(QPushButton):
    """A QPushButton whose content is a layout of word-wrapping labels (QPushButton itself
    cannot wrap). The labels let clicks through to the button, so it keeps its pressed state."""

    def __init__(self, kind: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("kind", kind)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(22, 12, 22, 12)
        self._box.setSpacing(4)

    def _add(self, label: QLabel) -> QLabel:
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._box.addWidget(label)
        return label

    def sizeHint(self) -> QSize:
        return self._box.sizeHint()

    def minimumSizeHint(self) -> QSize:
        hint = self._box.minimumSize()
        return QSize(hint.width(), max(hint.height(), self.minimumHeight()))


class AgencyTile(_LabelButton):
    """An agency: short name on its colour, and how many people wait. The name's font shrinks
    (never below ``m.small``) until its longest word fits the tile's width."""

    def __init__(self, code: str, name: str, colour: str, m: Metrics, parent: QWidget | None = None):
        super().__init__("tile", parent)
        self.code = code
        self.colour = colour
        self.name = name
        self._m = m
        self._name_px = m.large
        ink = text_colour_for(colour)
        self.ink = ink
        self.setMinimumHeight(m.touch)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self._box.setContentsMargins(10, 8, 10, 8)
        self.setStyleSheet(
            f"QPushButton {{ background: {colour}; border-radius: 16px; border: none; padding: 0; }}"
            f"QPushButton:pressed {{ background: {darker(colour, 0.6)}; border: 5px solid {ink}; }}"
        )
        self.name_label = self._add(make_label(name, align=Qt.AlignmentFlag.AlignCenter))
        self.name_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._style_name(m.large)
        self.state_label = self._add(make_label("", align=Qt.AlignmentFlag.AlignCenter))
        self.state_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.state_label.setStyleSheet(f"color: {ink}; font-size: {m.small}px;")
        self._box.insertStretch(0)
        self._box.addStretch()

    def _style_name(self, px: int) -> None:
        self._name_px = px
        self.name_label.setStyleSheet(f"color: {self.ink}; font-size: {px}px; font-weight: bold;")

    def fitting_name_px(self, width: int, height: int | None = None) -> int:
        """The largest name size (``m.large`` down to ``m.small``) at which every word fits
        ``width`` and, when ``height`` is given, the wrapped name plus the state line fit it."""
        from PySide6.QtGui import QFont, QFontMetrics

        words = self.name.split() or [self.name]
        font = QFont(self.name_label.font())
        font.setBold(True)
        state_font = QFont(self.state_label.font())
        state_font.setPixelSize(self._m.small)
        state_h = QFontMetrics(state_font).height() if self.state_label.text() else 0
        px = self._m.large
        while px > self._m.small:
            font.setPixelSize(px)
            fm = QFontMetrics(font)
            if max(fm.horizontalAdvance(w) for w in words) <= width:
                if height is None:
                    break
                name_h = fm.boundingRect(QRect(0, 0, width, 10000), int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                                         self.name).height()
                if name_h + state_h + self._box.spacing() <= height:
                    break
            px -= 2
        return px

    def _fit(self) -> None:
        m = self._box.contentsMargins()
        width = self.width() - m.left() - m.right() - 4
        px = self.fitting_name_px(width, self.height() - m.top() - m.bottom())
        if px != self._name_px:
            self._style_name(px)
        shown = self.hyphenated(px, width)
        if self.name_label.text() != shown:
            self.name_label.setText(shown)

    def hyphenated(self, px: int, width: int) -> str:
        """The name with any word still wider than ``width`` at ``px`` broken with a hyphen
        ("Ketenaga-" / "kerjaan") rather than clipped."""
        from PySide6.QtGui import QFont, QFontMetrics

        font = QFont(self.name_label.font())
        font.setBold(True)
        font.setPixelSize(px)
        fm = QFontMetrics(font)
        out = []
        for word in self.name.split():
            while fm.horizontalAdvance(word) > width and len(word) >= 8:
                cut = len(word) - 3  # never leave fewer than 3 letters on either line
                while cut > 3 and fm.horizontalAdvance(word[:cut] + "-") > width:
                    cut -= 1
                out.append(word[:cut] + "-\n")
                word = word[cut:]
            out.append(word + " ")
        return "".join(out).replace("\n ", "\n").strip()

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._fit()

    def set_state(self, text: str) -> None:
        had = bool(self.state_label.text())
        self.state_label.setText(text)
        if had != bool(text):
            self._fit()


class ServiceButton(_LabelButton):
    """A service: its name and its state; ``refused`` ones are grey, dashed, and say why."""

    def __init__(self, code: str, m: Metrics, parent: QWidget | None = None):
        super().__init__("service", parent)
        self.code = code
        self.refused = False
        self.setMinimumHeight(m.touch)
        self._box.addStretch()
        self.name_label = self._add(make_label(""))
        self.state_label = self._add(make_label(""))
        self._box.addStretch()
        self._m = m
        self._paint_labels()

    def _paint_labels(self) -> None:
        m = self._m
        name_ink = REFUSED_INK if self.refused else PRIMARY
        state_ink = REFUSED_REASON if self.refused else MUTED
        self.name_label.setStyleSheet(f"color: {name_ink}; font-size: {m.large}px; font-weight: bold;")
        self.state_label.setStyleSheet(f"color: {state_ink}; font-size: {m.body}px;"
                                       + (" font-weight: bold;" if self.refused else ""))

    def set_content(self, name: str, state: str, refused: bool) -> None:
        self.name_label.setText(name)
        self.state_label.setText(state)
        if refused != self.refused:
            self.refused = refused
            set_kind(self, "refused" if refused else "service")
            self._paint_labels()
        self.setAccessibleName(f"{name}. {state}")


class Overlay(QWidget):
    """Covers its parent, dims it and swallows taps; subclasses put a box in the middle."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)
        self.hide()
        parent.installEventFilter(self)
        self._layout = QVBoxLayout(self)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if obj is self.parent() and ev.type() == QEvent.Type.Resize:
            self.setGeometry(self._parent_rect())
        return False

    def _parent_rect(self) -> QRect:
        parent = self.parentWidget()
        assert parent is not None  # built over its parent screen
        return parent.rect()

    def popup(self) -> None:
        self.setGeometry(self._parent_rect())
        self.show()
        self.raise_()

    def paintEvent(self, _ev) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(0, 0, 0, 120))

    def mousePressEvent(self, ev) -> None:  # taps stop here
        ev.accept()

    def mouseReleaseEvent(self, ev) -> None:
        ev.accept()


class BusyOverlay(Overlay):
    """'Memproses...' shown the moment a tap starts background work, or, with ``after_ms``, only
    once the work has taken that long (a ticket is usually on the screen sooner: no flash of the
    overlay, and no repaint of the whole window while the ticket's bytes go to the printer; the
    window swallows taps meanwhile). ``showing`` is emitted just before it shows."""

    showing = Signal()

    def __init__(self, parent: QWidget, m: Metrics):
        super().__init__(parent)
        self.box = make_label("", align=Qt.AlignmentFlag.AlignCenter, wrap=False)
        self.box.setStyleSheet(
            f"background: white; color: {PRIMARY}; border-radius: 20px; padding: 40px 70px;"
            f"font-size: {m.title}px; font-weight: bold;"
        )
        self._layout.addWidget(self.box)
        self._text = ""
        self._dots = 0
        self._anim = QTimer(self)
        self._anim.setInterval(400)
        self._anim.timeout.connect(self._tick)
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self._show_now)

    def start(self, text: str, after_ms: int = 0) -> None:
        self._text = text.rstrip(".")
        self._dots = 3
        self.box.setText(self._text + "...")
        if after_ms > 0:
            self._later.start(after_ms)
        else:
            self._show_now()

    def _show_now(self) -> None:
        self.showing.emit()
        self.popup()
        self._anim.start()

    @property
    def pending(self) -> bool:
        """Started, and waiting for its ``after_ms`` before it shows."""
        return self._later.isActive()

    def stop(self) -> None:
        self._later.stop()
        self._anim.stop()
        self.hide()

    def _tick(self) -> None:
        self._dots = self._dots % 3 + 1
        self.box.setText(self._text + "." * self._dots + "\u2007" * (3 - self._dots))


class MessageOverlay(Overlay):
    """A large message with one button; closes on the button or after ``timeout_ms``."""

    closed = Signal()

    def __init__(self, parent: QWidget, m: Metrics):
        super().__init__(parent)
        self.panel = QFrame()
        self.panel.setObjectName("MessagePanel")
        self.panel.setStyleSheet("QFrame#MessagePanel { background: white; border-radius: 24px; }")
        self.panel.setMaximumWidth(1000)
        box = QVBoxLayout(self.panel)
        box.setContentsMargins(48, 40, 48, 40)
        box.setSpacing(24)
        self.title = make_label("", "section")
        self.text = make_label("")
        self.text.setStyleSheet(f"font-size: {m.large}px;")
        self.button = make_button("OK")
        self.button.clicked.connect(self.dismiss)
        box.addWidget(self.title)
        box.addWidget(self.text)
        box.addWidget(self.button)
        self._layout.addWidget(self.panel)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)

    def show_message(self, title: str, text: str, button: str, timeout_ms: int = 20000,
                     tone: str = "info") -> None:
        colour = {"info": PRIMARY, "warn": WARN_INK, "error": ERROR_BG}.get(tone, PRIMARY)
        self.title.setStyleSheet(f"color: {colour};")
        self.title.setText(title)
        self.title.setVisible(bool(title))
        self.text.setText(text)
        self.button.setText(button)
        self.popup()
        self._timer.start(timeout_ms)

    def dismiss(self) -> None:
        self._timer.stop()
        if self.isVisible():
            self.hide()
            self.closed.emit()


class PinPad(QWidget):
    """Digits 0-9, erase and OK. Emits ``submitted(pin)``; shows dots, never the digits."""

    submitted = Signal(str)
    MAX_LEN = 12

    def __init__(self, m: Metrics, parent: QWidget | None = None):
        super().__init__(parent)
        self._pin = ""
        grid = QGridLayout(self)
        grid.setSpacing(14)
        self.display = make_label("", align=Qt.AlignmentFlag.AlignCenter, wrap=False)
        self.display.setMinimumHeight(m.touch)
        self.display.setStyleSheet(
            f"background: white; border: 3px solid #8a96a3; border-radius: 12px; font-size: {m.title}px;"
        )
        grid.addWidget(self.display, 0, 0, 1, 3)
        self.keys: dict[str, QPushButton] = {}
        for i, d in enumerate("123456789"):
            self._key(grid, d, 1 + i // 3, i % 3)
        self.erase = make_button("\u232b", "key")
        self.erase.clicked.connect(self.backspace)
        grid.addWidget(self.erase, 4, 0)
        self._key(grid, "0", 4, 1)
        self.ok = make_button("OK", "primary")
        self.ok.clicked.connect(lambda: self.submitted.emit(self._pin))
        grid.addWidget(self.ok, 4, 2)
        for b in [*self.keys.values(), self.erase, self.ok]:
            b.setMinimumSize(max(m.touch, 150), m.touch)

    def _key(self, grid: QGridLayout, d: str, row: int, col: int) -> None:
        b = make_button(d, "key")
        b.clicked.connect(lambda _=False, d=d: self.press(d))
        grid.addWidget(b, row, col)
        self.keys[d] = b

    def press(self, digit: str) -> None:
        if len(self._pin) < self.MAX_LEN:
            self._pin += digit
            self._show()

    def backspace(self) -> None:
        self._pin = self._pin[:-1]
        self._show()

    def clear(self) -> None:
        self._pin = ""
        self._show()

    def _show(self) -> None:
        self.display.setText(" ".join("\u25cf" * len(self._pin)))

    @property
    def pin(self) -> str:
        return self._pin


class LongPress(QObject):
    """Makes a widget a hidden staff entry: hold it for ``hold_ms`` or tap it ``taps`` times
    within ``window_ms``; then ``triggered`` is emitted."""

    triggered = Signal()

    def __init__(self, widget: QWidget, hold_ms: int = 3000, taps: int = 5, window_ms: int = 3000):
        super().__init__(widget)
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(hold_ms)
        self._hold.timeout.connect(self.triggered)
        self._taps: list[float] = []
        self._need = taps
        self._window = window_ms / 1000.0
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        t = ev.type()
        if t == QEvent.Type.MouseButtonPress:
            import time

            self._hold.start()
            now = time.monotonic()
            self._taps = [x for x in self._taps if now - x <= self._window] + [now]
            if len(self._taps) >= self._need:
                self._taps.clear()
                self._hold.stop()
                self.triggered.emit()
        elif t in (QEvent.Type.MouseButtonRelease, QEvent.Type.Leave, QEvent.Type.Hide):
            self._hold.stop()
        return False


def qr_image(text: str, size_px: int, border: int = 2) -> QImage:
    """A crisp QR code as a QImage (``qrcode`` computes the modules; each module is a whole
    number of pixels). Any thread: the kiosk draws it on its database worker, after the ticket's
    bytes went to the printer. Empty text gives a null image."""
    if not text:
        return QImage()
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    # A fixed mask: choosing the best of the 8 builds the code 8 times (~10 ms on the tap's path);
    # any mask is a valid code and a phone reads a screen's crisp modules either way.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border, box_size=1, mask_pattern=0)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    scale = max(1, size_px // n)
    # one byte a module (0 dark, 255 light), then a nearest-neighbour scale by a whole factor:
    # the same pixels as filling one rectangle a dark module, without a Python call for each
    modules = bytes(0 if dark else 255 for row in matrix for dark in row)
    small = QImage(modules, n, n, n, QImage.Format.Format_Grayscale8)
    big = small.scaled(n * scale, n * scale, Qt.AspectRatioMode.IgnoreAspectRatio,
                       Qt.TransformationMode.FastTransformation)
    return big.convertToFormat(QImage.Format.Format_RGB32)  # a copy: ``modules`` may go


def qr_pixmap(text: str, size_px: int, border: int = 2) -> QPixmap:
    """``qr_image`` as a pixmap (GUI thread only). Empty text gives an empty pixmap."""
    if not text:
        return QPixmap()
    return QPixmap.fromImage(qr_image(text, size_px, border))


class Banner(QLabel):
    """A strip above the screens: ``error`` (database offline) or ``warn`` (printer)."""

    def __init__(self, tone: str, m: Metrics, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        bg, ink = (ERROR_BG, ERROR_INK) if tone == "error" else (WARN_BG, WARN_INK)
        size = m.body if tone == "error" else m.small
        self.setStyleSheet(f"background: {bg}; color: {ink}; font-size: {size}px; font-weight: bold;"
                           "padding: 10px 24px;")
        self.hide()

    def set_message(self, text: str | None) -> None:
        self.setText(text or "")
        self.setVisible(bool(text))


class TileBoard(QWidget):
    """Lays out agency tiles without scrolling: as many columns and rows as fill the space with
    tiles at least ``m.touch`` high (the shape closest to ``aspect``), all on one page when they
    fit; otherwise pages, with big previous/next buttons and "page 1/3" between them. The screen
    sets the buttons' texts."""

    page_changed = Signal(int)

    def __init__(self, m: Metrics, spacing: int = 12, min_width: int = 200, aspect: float = 1.8,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.m = m
        self.spacing = spacing
        self.min_width = min_width
        self.aspect = aspect
        self.tiles: list[QWidget] = []
        self.page = 0
        self.per_page = 1
        self.columns = 0
        self.rows = 0
        self.prev_page = make_button("", "secondary")
        self.next_page = make_button("", "secondary")
        self.page_label = make_label("", "section", wrap=False, align=Qt.AlignmentFlag.AlignCenter)
        for w in (self.prev_page, self.next_page, self.page_label):
            w.setParent(self)
            w.hide()
        self.prev_page.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next_page.clicked.connect(lambda: self.show_page(self.page + 1))
        self.page_text = "{page}/{pages}"

    def set_tiles(self, tiles: list[QWidget]) -> None:
        for t in self.tiles:
            if t not in tiles:
                t.hide()
        self.tiles = list(tiles)
        for t in self.tiles:
            t.setParent(self)
        self.page = 0
        self._layout()

    def page_count(self) -> int:
        return max(1, -(-len(self.tiles) // max(1, self.per_page)))

    def current_tiles(self) -> list[QWidget]:
        start = self.page * self.per_page
        return self.tiles[start:start + self.per_page]

    def show_page(self, page: int) -> None:
        pages = self.page_count()
        self.page = page % pages
        self._layout()
        self.page_changed.emit(self.page)

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._layout()

    def _shape(self, n: int, width: int, height: int) -> tuple[int, int]:
        """(columns, rows) of one page: all ``n`` tiles if they fit, else the most that fit."""
        sp, touch = self.spacing, self.m.touch
        max_cols = max(1, (width + sp) // (self.min_width + sp))
        max_rows = max(1, (height + sp) // (touch + sp))
        best: tuple[float, int, int] | None = None
        for cols in range(1, max_cols + 1):
            rows = -(-n // cols)
            if rows > max_rows:
                continue
            tw = (width - sp * (cols - 1)) / cols
            th = (height - sp * (rows - 1)) / rows
            score = abs((tw / th) / self.aspect - 1) if th > 0 else 1e9
            if best is None or score < best[0]:
                best = (score, cols, rows)
        if best is not None:
            return best[1], best[2]
        return max_cols, max_rows

    def _layout(self) -> None:
        width, height = self.width(), self.height()
        if width <= 0 or height <= 0 or not self.tiles:
            return
        sp, touch = self.spacing, self.m.touch
        n = len(self.tiles)
        cols, rows = self._shape(n, width, height)
        paged = cols * rows < n
        bar_h = max(touch, self.prev_page.sizeHint().height())
        if paged:  # a row of big page buttons below the tiles
            height -= bar_h + sp
            cols, rows = self._shape(n, width, height)
            rows = min(rows, max(1, (height + sp) // (touch + sp)))
        self.columns, self.rows = cols, rows
        self.per_page = cols * rows
        self.page = min(self.page, self.page_count() - 1)
        shown = set(map(id, self.current_tiles()))
        tw = (width - sp * (cols - 1)) // cols
        page_tiles = self.current_tiles()
        th = (height - sp * (rows - 1)) // rows
        for t in self.tiles:
            t.setVisible(id(t) in shown)
        for i, t in enumerate(page_tiles):
            r, c = divmod(i, cols)
            t.setGeometry(c * (tw + sp), r * (th + sp), tw, th)
        for w in (self.prev_page, self.next_page, self.page_label):
            w.setVisible(paged)
        if paged:
            y = self.height() - bar_h
            bw = max(touch * 2, width // 4)
            self.prev_page.setGeometry(0, y, bw, bar_h)
            self.next_page.setGeometry(width - bw, y, bw, bar_h)
            self.page_label.setGeometry(bw + sp, y, width - 2 * (bw + sp), bar_h)
            self.page_label.setText(self.page_text.format(page=self.page + 1, pages=self.page_count()))


class FitButton(QPushButton):
    """A button whose text always fits: on one line at ``m.large`` if it can, else broken into
    two lines, else smaller (never below ``m.small``). ``full_text`` is the text as given."""

    def __init__(self, text: str, kind: str, m: Metrics, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("kind", kind)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._m = m
        self._px = 0
        self.full_text = ""
        self.set_fit_text(text)

    def set_fit_text(self, text: str) -> None:
        self.full_text = text
        self._fit()

    def resizeEvent(self, ev) -> None:
        super().resizeEvent(ev)
        self._fit()

    def layout_for(self, width: int) -> tuple[int, str]:
        from PySide6.QtGui import QFont, QFontMetrics

        text = self.full_text
        words = text.split()
        font = QFont(self.font())
        font.setBold(True)
        px = self._m.large
        while True:
            font.setPixelSize(px)
            fm = QFontMetrics(font)
            if fm.horizontalAdvance(text) <= width:
                return px, text
            if len(words) > 1:  # the most even break into two lines
                cuts = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
                a, b = min(cuts, key=lambda ab: max(fm.horizontalAdvance(ab[0]), fm.horizontalAdvance(ab[1])))
                if max(fm.horizontalAdvance(a), fm.horizontalAdvance(b)) <= width:
                    return px, f"{a}\n{b}"
            if px <= self._m.small:
                return px, text
            px -= 2

    def _fit(self) -> None:
        pad = 2 * 12
        px, shown = self.layout_for(max(10, self.width() - pad))
        if px != self._px:
            self._px = px
            self.setStyleSheet(f"QPushButton {{ font-size: {px}px; padding: 6px 12px; }}")
        if self.text() != shown:
            self.setText(shown)
