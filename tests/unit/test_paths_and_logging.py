"""The log file in the data dir, unexpected errors (one line for the user, the traceback in the
log, exit 70), the excepthooks for threads and Qt slots, and the gui-scripts entry points."""

from __future__ import annotations

import logging
import logging.handlers
import threading
import tomllib
from pathlib import Path

import pytest

from antrian import paths
from mpp import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "data"))
    yield tmp_path / "data"
    root = logging.getLogger()
    for h in [h for h in root.handlers if getattr(h, "_mpp", False)]:
        root.removeHandler(h)
        h.close()


def test_log_file_lives_in_the_data_dir(data_dir):
    assert paths.log_dir() == data_dir / "logs"
    assert paths.log_dir().is_dir()
    assert paths.log_file() == data_dir / "logs" / "mpp.log"


def test_setup_logging_is_idempotent_and_rotates(data_dir, tmp_path, monkeypatch):
    first = cli.setup_logging()
    cli.setup_logging(verbose=True)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_mpp", False)]
    files = [h for h in ours if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert len(ours) == 2 and len(files) == 1
    assert files[0].maxBytes == cli.LOG_MAX_BYTES and files[0].backupCount == cli.LOG_BACKUPS
    assert first == paths.log_file() == cli.current_log_file()
    # another data dir: the one file handler follows it
    monkeypatch.setenv("MPP_DATA_DIR", str(tmp_path / "other"))
    cli.setup_logging()
    assert cli.current_log_file() == tmp_path / "other" / "logs" / "mpp.log"
    assert len([h for h in logging.getLogger().handlers if getattr(h, "_mpp", False)]) == 2


def _boom(args):
    raise RuntimeError("boom\nsecond line")


def test_an_unexpected_error_is_one_line_and_a_logged_traceback(data_dir, monkeypatch, capsys):
    monkeypatch.setattr("mpp.cli_queue.cmd_catalogue", _boom)
    code = cli.main(["catalogue"])
    for box in _error_boxes():  # shown when an earlier test left a QApplication running
        box.close()
    assert code == cli.EXIT_INTERNAL == 70
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert str(paths.log_file()) in lines[0] and "RuntimeError: boom" in lines[0]
    assert "Traceback" not in err
    logged = paths.log_file().read_text(encoding="utf-8")
    assert "unexpected error in `mpp catalogue`" in logged
    assert "Traceback (most recent call last)" in logged and "in _boom" in logged
    assert "RuntimeError: boom" in logged


def test_a_queue_error_stays_one_line_without_a_traceback(data_dir, capsys):
    code = cli.main(["issue", "no-such-service", "--db", f"sqlite:///{data_dir / 'q.sqlite3'}"])
    out, err = capsys.readouterr()
    assert code not in (0, cli.EXIT_INTERNAL)
    assert len(err.strip().splitlines()) == 1 and err.startswith("mpp: ")
    log_text = paths.log_file().read_text(encoding="utf-8") if paths.log_file().exists() else ""
    assert "Traceback" not in log_text


def test_warnings_reach_stderr_as_one_line_even_with_exc_info(data_dir, capsys):
    cli.setup_logging()
    try:
        raise ValueError("inner")
    except ValueError:
        logging.getLogger("mpp.test").exception("it failed")
    err = capsys.readouterr().err
    assert err.strip() == "ERROR mpp.test: it failed"
    assert "Traceback" in paths.log_file().read_text(encoding="utf-8")


def _error_boxes():
    from PySide6.QtWidgets import QApplication, QMessageBox

    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == "mpp-unexpected-error" and w.isVisible()]


@pytest.mark.ui
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_exception_in_a_thread_is_logged_and_shown_on_the_gui_thread(data_dir, qtbot, capsys):
    cli.setup_logging()
    for box in _error_boxes():  # a box an earlier test left open is not this test's
        box.close()

    def work():
        raise KeyError("in the worker")

    with cli.excepthooks("`mpp test`"):
        th = threading.Thread(target=work, name="worker-1")
        th.start()
        th.join()
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(paths.log_file()) in err
    logged = paths.log_file().read_text(encoding="utf-8")
    assert "unexpected error in `mpp test` (worker-1)" in logged and "in work" in logged
    qtbot.waitUntil(lambda: any("KeyError" in b.text() for b in _error_boxes()))
    boxes = _error_boxes()
    assert len(boxes) == 1 and "KeyError" in boxes[0].text()  # one box at a time, the newest error
    for box in boxes:
        box.close()


def test_excepthooks_are_restored(data_dir):
    import sys

    before = sys.excepthook, threading.excepthook
    with cli.excepthooks():
        assert sys.excepthook is not before[0]
    assert (sys.excepthook, threading.excepthook) == before


@pytest.mark.ui
@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_qt_slot_is_logged_and_shown(data_dir, qtbot, capsys):
    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        fired = Signal()

    def slot():
        raise ZeroDivisionError("in a slot")

    cli.setup_logging()
    for box in _error_boxes():  # a box an earlier test left open is not this test's
        box.close()
    emitter = Emitter()
    emitter.fired.connect(slot)
    with cli.excepthooks("`mpp kiosk`"):
        emitter.fired.emit()
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "ZeroDivisionError: in a slot" in err and str(paths.log_file()) in err
    logged = paths.log_file().read_text(encoding="utf-8")
    assert "unexpected error in `mpp kiosk`" in logged and "in slot" in logged
    boxes = _error_boxes()
    assert boxes and str(paths.log_file()) in boxes[-1].text()
    for box in boxes:
        box.close()


def test_gui_scripts_run_their_subcommand(monkeypatch):
    import mpp.gui

    seen = []
    monkeypatch.setattr(cli, "main", lambda argv: seen.append(argv) or 0)
    monkeypatch.setattr("sys.argv", ["mpp-kiosk", "--windowed"])
    assert mpp.gui.kiosk() == 0
    assert seen == [["kiosk", "--windowed"]]


def test_gui_scripts_are_declared_for_every_window_command():
    import mpp.gui

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"] == {"mpp": "mpp.cli:main"}
    commands = cli.build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    gui = project["gui-scripts"]
    assert set(gui) == {"mpp-kiosk", "mpp-counter", "mpp-monitor", "mpp-display", "mpp-demo"}
    for script, target in gui.items():
        module, func = target.split(":")
        assert module == "mpp.gui" and callable(getattr(mpp.gui, func))
        assert script.removeprefix("mpp-") in commands


def test_the_log_file_rotates(data_dir):
    cli.setup_logging()
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, logging.handlers.RotatingFileHandler)
                  and getattr(h, "_mpp", False)]
    handler.maxBytes = 300
    for i in range(20):
        logging.getLogger("mpp.test").info("line %d of the rotation test", i)
    assert (paths.log_dir() / "mpp.log.1").exists()
    assert paths.log_file().stat().st_size <= 300
