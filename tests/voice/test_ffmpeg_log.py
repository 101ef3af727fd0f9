"""QtMultimedia's FFmpeg backend prints "Input #0, wav, from ..." for every announcement unless
its info log is off (issue 15, point 18). Each case runs in its own process: log rules are global."""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

SCRIPT = r"""
import sys
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer
from PySide6.QtWidgets import QApplication

app = QApplication([])
if sys.argv[2] == "quiet":
    from display.voice.qt_player import quiet_ffmpeg_log
    quiet_ffmpeg_log()
player = QMediaPlayer()
out = QAudioOutput()
player.setAudioOutput(out)
def status(s):
    if s in (QMediaPlayer.MediaStatus.LoadedMedia, QMediaPlayer.MediaStatus.InvalidMedia):
        app.quit()
player.mediaStatusChanged.connect(status)
QTimer.singleShot(20000, app.quit)  # a safety net only: loading ends the loop
player.setSource(QUrl.fromLocalFile(sys.argv[1]))
app.exec()
"""


def _wav(path: Path) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(22050)
        w.writeframes(b"\0\0" * 2205)
    return path


def _stderr(wav: Path, mode: str) -> str:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("QT_LOGGING_RULES", None)
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(wav), mode], capture_output=True, text=True,
                       timeout=60, env=env, cwd=Path(__file__).resolve().parents[2])
    assert r.returncode == 0, r.stderr
    return r.stderr


@pytest.mark.ui
def test_quiet_ffmpeg_log_removes_the_input_dump(tmp_path):
    wav = _wav(tmp_path / "call.wav")
    if "Input #0" not in _stderr(wav, "loud"):
        pytest.skip("this QtMultimedia build does not print the FFmpeg input dump")
    assert "Input #0" not in _stderr(wav, "quiet")
