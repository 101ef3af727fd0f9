"""The officer panel's widgets, laid out (split from counter/panel.py to keep it readable):
the current-ticket card and the number / QR field, the waiting counts, next in line and parked
lists, the action buttons and the message line. No behaviour here: the buttons and fields are
wired to the panel's ``trigger``, ``call_number_from_field`` and ``call_back_parked``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
)

from counter.common import HeaderWidgets, build_header, named

if TYPE_CHECKING:
    from counter.panel import CounterPanel

# name, shortcut keys, colour role
ACTIONS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("call", ("F1", "Space"), "call"),
    ("recall", ("F2",), None),
    ("start", ("F3",), None),
    ("finish", ("F4",), "finish"),
    ("no_show", ("F5",), None),
    ("transfer", ("F6",), None),
    ("park", ("F7",), None),
    ("pause", ("F8",), None),
    ("close", ("F9",), "danger"),
    ("logout", ("F12",), None),
)


class PanelWidgets(HeaderWidgets):
    """The widgets ``build_panel`` and ``build_shortcuts`` add to the counter panel (declared
    for the type checker; CounterPanel inherits these declarations)."""

    state_label: QLabel
    number_label: QLabel
    service_label: QLabel
    prio_label: QLabel
    waited_caption: QLabel
    waited_value: QLabel
    timer_caption: QLabel
    timer_value: QLabel
    recall_label: QLabel
    scan: QLineEdit
    scan_button: QPushButton
    waiting_caption: QLabel
    waiting_name_labels: dict[str, QLabel]
    waiting_labels: dict[str, QLabel]
    next_caption: QLabel
    next_list: QListWidget
    parked_caption: QLabel
    unpark_button: QPushButton
    parked_list: QListWidget
    buttons: dict[str, QPushButton]
    message: QLabel
    shortcuts: list[QShortcut]


class _SpaceCalls(QObject):
    """Space in the empty number field calls the next ticket (the field keeps the focus so a
    scanner's keystrokes always land in it)."""

    def __init__(self, panel: "CounterPanel"):
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, obj, event) -> bool:
        if (event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Space
                and not event.modifiers() and not obj.text()):
            if not event.isAutoRepeat():
                self.panel.trigger("call")
            return True
        return False


def build_panel(panel: "CounterPanel") -> None:
    """Create the panel's widgets as attributes of ``panel`` (``panel.scan``, ``panel.buttons``...)."""
    root = build_header(panel, 6)

    body = QHBoxLayout()
    body.setContentsMargins(16, 12, 16, 8)
    body.setSpacing(16)
    root.addLayout(body, 1)

    # left: the current ticket and the number / QR field
    left = QVBoxLayout()
    body.addLayout(left, 3)
    card = named(QFrame(), "card")
    cl = QVBoxLayout(card)
    cl.setContentsMargins(20, 10, 20, 10)
    cl.setSpacing(4)
    panel.state_label = named(QLabel(), "state")
    panel.state_label.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    panel.number_label = named(QLabel(), "number")
    panel.number_label.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    panel.number_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    panel.number_label.setMinimumHeight(96)
    panel.service_label = named(QLabel(), "service")
    panel.service_label.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    panel.service_label.setWordWrap(True)
    prio_row = QHBoxLayout()
    panel.prio_label = named(QLabel(), "prio")
    panel.prio_label.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    prio_row.addWidget(panel.prio_label)
    prio_row.addStretch(1)
    times = QGridLayout()
    panel.waited_caption = QLabel()
    panel.waited_caption.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    panel.waited_value = named(QLabel(), "timer")
    panel.waited_value.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    panel.timer_caption = QLabel()
    panel.timer_caption.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    panel.timer_value = named(QLabel(), "timer")
    panel.timer_value.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    panel.recall_label = QLabel()
    panel.recall_label.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    times.addWidget(panel.waited_caption, 0, 0)
    times.addWidget(panel.timer_caption, 0, 1)
    times.addWidget(panel.waited_value, 1, 0)
    times.addWidget(panel.timer_value, 1, 1)
    cl.addWidget(panel.state_label)
    cl.addWidget(panel.number_label)
    cl.addWidget(panel.service_label)
    cl.addLayout(prio_row)
    cl.addSpacing(6)
    cl.addLayout(times)
    cl.addWidget(panel.recall_label)
    cl.addStretch(1)
    left.addWidget(card, 1)

    scan_row = QHBoxLayout()
    panel.scan = named(QLineEdit(), "scan")
    panel.scan.setMaxLength(512)
    panel.scan.setClearButtonEnabled(True)
    panel.scan_button = named(QPushButton(), "small")
    panel.scan_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    scan_row.addWidget(panel.scan, 1)
    scan_row.addWidget(panel.scan_button)
    left.addLayout(scan_row)
    panel.scan.returnPressed.connect(panel.call_number_from_field)
    panel.scan_button.clicked.connect(panel.call_number_from_field)
    panel.scan.installEventFilter(_SpaceCalls(panel))

    # right: waiting counts, next in line, parked tickets
    right = QVBoxLayout()
    body.addLayout(right, 2)
    panel.waiting_caption = named(QLabel(), "section")
    panel.waiting_caption.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    right.addWidget(panel.waiting_caption)
    wgrid = QGridLayout()
    wgrid.setVerticalSpacing(2)
    panel.waiting_name_labels = {}
    panel.waiting_labels = {}
    for i, code in enumerate(panel.counter.service_codes):
        name_label = QLabel()
        name_label.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        count = named(QLabel(), f"waiting-{code}")
        count.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
        count.setStyleSheet("font-size: 18px; font-weight: bold;")
        count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        wgrid.addWidget(name_label, i, 0)
        wgrid.addWidget(count, i, 1)
        panel.waiting_name_labels[code] = name_label
        panel.waiting_labels[code] = count
    right.addLayout(wgrid)
    panel.next_caption = named(QLabel(), "section")
    panel.next_caption.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    right.addWidget(panel.next_caption)
    panel.next_list = named(QListWidget(), "next")
    panel.next_list.setItemDelegate(TicketRowDelegate(panel.next_list))
    panel.next_list.setAlternatingRowColors(True)
    panel.next_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    panel.next_list.setSelectionMode(QListWidget.SelectionMode.NoSelection)
    right.addWidget(panel.next_list, 1)
    panel.parked_caption = named(QLabel(), "section")
    panel.parked_caption.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    panel.unpark_button = named(QPushButton(), "small")
    panel.unpark_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    prow = QHBoxLayout()
    prow.addWidget(panel.parked_caption, 1)
    prow.addWidget(panel.unpark_button)
    right.addLayout(prow)
    panel.parked_list = named(QListWidget(), "parked")
    panel.parked_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    panel.parked_list.setItemDelegate(TicketRowDelegate(panel.parked_list))
    panel.parked_list.setMaximumHeight(2 * ROW_HEIGHT + 6)  # two rows, then it scrolls
    right.addWidget(panel.parked_list, 0)
    panel.unpark_button.clicked.connect(panel.call_back_parked)
    panel.parked_list.itemDoubleClicked.connect(lambda _item: panel.call_back_parked())

    # the action buttons
    grid = QGridLayout()
    grid.setContentsMargins(16, 4, 16, 4)
    grid.setSpacing(8)
    panel.buttons = {}
    for i, (name, _keys, role) in enumerate(ACTIONS):
        b = named(QPushButton(), "action")
        b.setProperty("action", name)
        if role:
            b.setProperty("role", role)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.clicked.connect(lambda _=False, n=name: panel.trigger(n))
        grid.addWidget(b, i // 5, i % 5)
        panel.buttons[name] = b
    root.addLayout(grid)

    panel.message = named(QLabel(), "message")
    panel.message.setTextFormat(Qt.TextFormat.PlainText)  # plain text, never markup (issue 10)
    panel.message.setWordWrap(True)
    panel.message.setContentsMargins(16, 0, 16, 8)
    root.addWidget(panel.message)
    panel.scan.setFocus()


# calls the selected parked ticket back (the "Call back" button beside the parked list)
CALL_BACK_KEY = "F10"
ROW_HEIGHT = 30
# item data roles of a ticket row: number, service, the right-hand column (minutes waited)
ROLE_NUMBER = Qt.ItemDataRole.UserRole + 1
ROLE_SERVICE = Qt.ItemDataRole.UserRole + 2
ROLE_RIGHT = Qt.ItemDataRole.UserRole + 3
ROLE_PRIORITY = Qt.ItemDataRole.UserRole + 4


class TicketRowDelegate(QStyledItemDelegate):
    """Draws a ticket row as a list, not as padded monospace text: the number in bold, the
    service (elided), and the right-hand column aligned right; a priority ticket gets a star
    and a dark red number. Rows without a number (e.g. "Nobody is waiting") draw their text."""

    def sizeHint(self, option, index):
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), max(hint.height(), ROW_HEIGHT))

    def paint(self, painter, option, index):
        number = index.data(ROLE_NUMBER)
        if not number:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        r = option.rect.adjusted(8, 0, -8, 0)
        painter.save()
        bold = QFont(option.font)
        bold.setBold(True)
        bold.setPixelSize(17)
        plain = QFont(option.font)
        plain.setPixelSize(16)
        priority = bool(index.data(ROLE_PRIORITY))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        ink = option.palette.highlightedText().color() if selected else option.palette.text().color()
        painter.setFont(bold)
        painter.setPen(ink if selected or not priority else QColor("#8b0000"))
        num_w = QFontMetrics(bold).horizontalAdvance("W-000\u2605") + 12
        painter.drawText(QRect(r.left(), r.top(), num_w, r.height()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         number + (" \u2605" if priority else ""))
        painter.setFont(plain)
        painter.setPen(ink)
        right = index.data(ROLE_RIGHT) or ""
        right_w = QFontMetrics(plain).horizontalAdvance(right) + 8 if right else 0
        painter.drawText(QRect(r.right() - right_w, r.top(), right_w, r.height()),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), right)
        service_rect = QRect(r.left() + num_w, r.top(), r.width() - num_w - right_w - 8, r.height())
        service = QFontMetrics(plain).elidedText(index.data(ROLE_SERVICE) or "", Qt.TextElideMode.ElideRight,
                                                 service_rect.width())
        painter.drawText(service_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), service)
        painter.restore()


def build_shortcuts(panel: "CounterPanel") -> None:
    """The F-keys (and Space) of ``ACTIONS``, and F10 for calling a parked ticket back; a held
    key is one action."""
    panel.shortcuts = []
    sc = QShortcut(QKeySequence(CALL_BACK_KEY), panel)
    sc.setAutoRepeat(False)
    sc.setContext(Qt.ShortcutContext.WindowShortcut)
    sc.activated.connect(panel.call_back_parked)
    panel.shortcuts.append(sc)
    for name, keys, _role in ACTIONS:
        for key in keys:
            sc = QShortcut(QKeySequence(key), panel)
            sc.setAutoRepeat(False)  # a held key is one action
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(lambda n=name: panel.trigger(n))
            panel.shortcuts.append(sc)
