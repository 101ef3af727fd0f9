"""Qt helpers shared by the kiosk, counter, monitor and display windows.

- ``Runner``: run blocking work (database, printer, speech) off the GUI thread; the success or
  failure callback runs on the GUI thread. ``Runner(max_workers=1)`` is a serial worker that keeps
  order (one per device).
- ``EventFeed``: follows the events table by increasing id from a background thread (poll every
  ``poll_ms``; on PostgreSQL LISTEN/NOTIFY wakes it early) and emits batches on the GUI thread.
  Survives database outages: emits ``online(False)``, retries, then ``online(True)`` and carries on
  from the last id it saw, so nothing is skipped.
- ``Translations``: the compiled Qt translations (Indonesian default, English source text).
- ``show_unexpected_error``: the window side of mpp.cli's excepthook (one line naming the log).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTranslator, Signal, Slot

from antrian import paths
from antrian.domain.errors import QueueError

log = logging.getLogger(__name__)


class Runner(QObject):
    _done = Signal(object, object)  # callback, value

    def __init__(self, max_workers: int = 2, name: str = "mpp-bg", parent: QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)
        self._done.connect(self._deliver)
        self._closed = False

    def submit(self, fn: Callable[[], Any], on_ok: Callable[[Any], None] | None = None,
               on_err: Callable[[BaseException], None] | None = None) -> Future | None:
        if self._closed:
            return None

        def job():
            try:
                value = fn()
            except BaseException as exc:  # delivered to the GUI thread, never lost
                if not isinstance(exc, QueueError):
                    log.exception("background job failed")
                self._emit(on_err, exc)
                return
            self._emit(on_ok, value)

        return self._pool.submit(job)

    def _emit(self, cb, value) -> None:
        try:
            self._done.emit(cb, value)
        except RuntimeError:  # the QObject is gone (window closed)
            pass

    def _deliver(self, cb, value) -> None:
        if cb is not None:
            cb(value)

    def shutdown(self, wait: bool = False) -> None:
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)


class EventFeed(QObject):
    """Emits ``events(list[Event])`` in id order, ``online(bool)`` on changes of reachability.

    Backpressure: after a page the reader waits (up to ACK_WAIT_S) until the GUI thread has
    taken it, so a slow window never has more than one page queued; a catch-up of a whole day
    of events would otherwise pile up in Qt's event queue (issue 11: the display and the monitor
    went over 150 MB)."""

    events = Signal(list)
    online = Signal(bool)
    _ack = Signal()
    ACK_WAIT_S = 1.0

    def __init__(self, queue, poll_ms: int = 200, after_id: int | None = None, batch: int = 500,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.queue = queue
        self.poll_s = poll_ms / 1000.0
        self.after_id = after_id
        self.batch = batch
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: threading.Thread | None = None
        self.is_online: bool | None = None
        self._taken = threading.Event()
        # queued to this object's (the GUI) thread: runs after the page's own delivery
        self._ack.connect(self._on_ack, Qt.ConnectionType.QueuedConnection)

    @Slot()
    def _on_ack(self) -> None:
        self._taken.set()

    def start(self) -> None:
        if self._thread:
            return
        self._thread = threading.Thread(target=self._run, name="mpp-events", daemon=True)
        self._thread.start()
        url = getattr(self.queue.store, "url", "")
        if url.startswith("postgresql"):
            self._listener = threading.Thread(target=self._listen, args=(url,), name="mpp-listen", daemon=True)
            self._listener.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._taken.set()
        if self._thread:
            self._thread.join(timeout=3)

    def wake(self) -> None:
        self._wake.set()

    def _set_online(self, value: bool) -> None:
        if value != self.is_online:
            self.is_online = value
            try:
                self.online.emit(value)
            except RuntimeError:
                pass

    def _run(self) -> None:
        backoff = self.poll_s
        while not self._stop.is_set():
            try:
                if self.after_id is None:
                    self.after_id = self.queue.last_event_id()
                got = self.queue.events_after(self.after_id, self.batch)
                self._set_online(True)
                backoff = self.poll_s
                if got:
                    self.after_id = got[-1].id
                    try:
                        self._taken.clear()
                        self.events.emit(got)
                        self._ack.emit()
                    except RuntimeError:
                        return
                    self._taken.wait(self.ACK_WAIT_S)  # the GUI thread has taken it (or is stuck)
                    if len(got) == self.batch:
                        continue  # more to read at once
            except Exception as exc:  # database away: say so, keep trying, skip nothing
                log.warning("event feed: %s", exc)
                self._set_online(False)
                backoff = min(2.0, max(backoff * 2, 0.25))
                self._stop.wait(backoff)
                continue
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def _listen(self, url: str) -> None:
        """PostgreSQL LISTEN: a wake-up hint only; the table stays the source of truth."""
        try:
            import psycopg
            from sqlalchemy.engine import make_url

            from antrian.storage.db import EVENT_CHANNEL, pg_connect_args
        except ImportError:
            return
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        # the pool's bounded waits (connect and statement timeouts, TCP keepalives) hold here too:
        # a server that stops answering must not leave this thread blocked forever (issue 10)
        args = pg_connect_args(getattr(self.queue.store, "application_name", "mpp"))
        while not self._stop.is_set():
            try:
                with psycopg.connect(dsn, autocommit=True, **args) as conn:
                    conn.execute(f"LISTEN {EVENT_CHANNEL}")
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self._wake.set()
            except Exception as exc:
                log.debug("listen: %s", exc)
                self._stop.wait(1.0)


class TranslationMissing(RuntimeError):
    """A bundled translation is missing or unreadable: the install is broken (loud, never silent
    English)."""


# The faces whose windows are translated: one ``<face>_<lang>.ts`` source and its compiled ``.qm``
# each, in antrian/data/translations. `make translations` rebuilds the .qm files.
TRANSLATED_FACES = ("kiosk", "counter", "display", "survey", "manager")


class Translations:
    """Loads the compiled ``antrian/data/translations/<face>_<lang>.qm`` files into the app.

    Source strings are English; Indonesian is the default language. The .qm files are built with
    `make translations` and shipped in the package; nothing is compiled at start. A missing or
    unreadable one raises ``TranslationMissing``: at start-up `mpp` reports it as an unexpected
    error (one line naming the file and the log, exit 70); in a slot, the excepthook shows it."""

    def __init__(self, app: QCoreApplication):
        self.app = app
        self.language = "en"
        self._installed: list[QTranslator] = []

    def set_language(self, lang: str) -> None:
        for tr in self._installed:
            self.app.removeTranslator(tr)
        self._installed.clear()
        self.language = lang
        if lang == "en":
            return
        for qm in compiled_translations(lang):
            tr = QTranslator(self.app)
            if not tr.load(str(qm)):
                raise TranslationMissing(f"the translation {qm} could not be loaded: reinstall antrian-mpp "
                                         "(or run `make translations` in a source checkout)")
            self.app.installTranslator(tr)
            self._installed.append(tr)


def compiled_translations(lang: str) -> list[Path]:
    """The bundled .qm files for ``lang``, one per translated face; raises TranslationMissing
    when one is not there."""
    folder = paths.translations_dir()
    result = []
    for face in TRANSLATED_FACES:
        qm = folder / f"{face}_{lang}.qm"
        if not qm.is_file():
            raise TranslationMissing(f"the translation file {qm} is missing: reinstall antrian-mpp "
                                     "(or run `make translations` in a source checkout)")
        result.append(qm)
    return result


def show_unexpected_error(line: str) -> None:
    """Tell the user of a window about an unexpected error (already logged with its traceback):
    a non-modal message box with the one line naming the log file. Does nothing without a
    QApplication."""
    from PySide6.QtCore import QThread, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if QThread.currentThread() is not app.thread():  # from a worker thread: show it on the GUI thread
        QTimer.singleShot(0, app, lambda: _show_error_box(app, line))
        return
    _show_error_box(app, line)


def _show_error_box(app, line: str) -> None:
    from PySide6.QtWidgets import QMessageBox

    old = getattr(app, "_mpp_unexpected_error", None)
    if old is not None:  # one box at a time: the newest error replaces the one still shown
        try:
            old.close()
            old.deleteLater()
        except RuntimeError:  # already deleted by Qt
            pass
    box = QMessageBox(QMessageBox.Icon.Critical, "Kesalahan tak terduga / Unexpected error",
                      "Terjadi kesalahan tak terduga. / An unexpected error occurred.\n\n" + line)
    box.setObjectName("mpp-unexpected-error")
    box.setModal(False)
    box.show()
    app._mpp_unexpected_error = box  # keep it alive (the last one)


def save_screenshot(widget, path: Path | str) -> Path:
    """Grab a widget (works offscreen) into a PNG."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(path))
    return path


def place_from_env(window) -> bool:
    """`MPP_GEOMETRY=x,y,w,h` places a windowed station (the demo lays out its four windows on
    one desktop). Returns True when it was applied."""
    import os

    text = os.environ.get("MPP_GEOMETRY", "")
    try:
        x, y, w, h = (int(v) for v in text.split(","))
    except ValueError:
        if text:
            log.warning("MPP_GEOMETRY=%r is not x,y,w,h; ignored", text)
        return False
    window.setGeometry(x, y, w, h)
    return True
