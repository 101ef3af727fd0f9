"""Making the monitor fit small screens (issue 14): the demo desktop gives each window half of a
1366-px screen, so no page may need more than about 680 px.

- ``ScrollTabs``: a tab widget whose pages scroll (instead of widening the window) when the
  window is smaller than a page needs. Callers keep talking about the page itself:
  ``setCurrentWidget(page)``, ``indexOf(page)`` and ``page(i)`` see through the scroll area.
- ``FoldingSplitter``: side by side when wide, one above the other below ``fold_width``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QTabWidget, QWidget


class ScrollTabs(QTabWidget):
    def add_page(self, page: QWidget, label: str = "") -> int:
        area = QScrollArea()
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidgetResizable(True)
        area.setWidget(page)
        return self.addTab(area, label)

    def page(self, index: int) -> QWidget | None:
        area = self.widget(index)
        return area.widget() if isinstance(area, QScrollArea) else area

    def _area(self, page: QWidget) -> QWidget:
        for i in range(self.count()):
            area = self.widget(i)
            if self.page(i) is page and area is not None:
                return area
        return page

    def setCurrentWidget(self, page: QWidget) -> None:  # noqa: N802 - Qt's name
        super().setCurrentWidget(self._area(page))

    def indexOf(self, page: QWidget) -> int:  # noqa: N802 - Qt's name
        return super().indexOf(self._area(page))


class FoldingSplitter(QSplitter):
    """Horizontal from ``fold_width`` up, vertical below (each part then gets the whole width);
    folded, the splitter asks for ``folded_height`` so its scroll area scrolls instead of
    squeezing the tables to a few rows."""

    def __init__(self, fold_width: int, folded_height: int, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.fold_width = fold_width
        self.folded_height = folded_height
        self.setChildrenCollapsible(False)

    @property
    def folded(self) -> bool:
        return self.orientation() == Qt.Orientation.Vertical

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        self.fold(event.size().width() < self.fold_width)
        super().resizeEvent(event)

    def fold(self, folded: bool) -> None:
        if folded == self.folded:
            return
        self.setOrientation(Qt.Orientation.Vertical if folded else Qt.Orientation.Horizontal)
        self.setMinimumHeight(self.folded_height if folded else 0)
        if self.count() == 2:  # folded: the first part (the counters) a third, the rest below
            whole = self.folded_height if folded else max(self.width(), self.fold_width)
            first = whole // 3 if folded else whole * 5 // 11
            self.setSizes([first, whole - first])
