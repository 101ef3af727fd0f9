"""A short sound (the hall chime as an alert) without loading Qt Multimedia into the window.

``QSoundEffect`` pulls Qt Multimedia and its FFmpeg and audio back ends into the process: about
16 MB of resident memory for a beep every few seconds (issue 11: each window <= 150 MB). A
command-line player (``paplay``, ``pw-play`` or ``aplay``, whichever is installed) plays it in its own
short-lived process instead; the window only starts it. Without one, ``QSoundEffect`` is the
fallback. A sound that cannot play is silent: what it announces is also on the screen.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

PLAYERS: tuple[tuple[str, ...], ...] = (("paplay",), ("pw-play",), ("aplay", "-q"))


class SoundPlayer:
    """``play()`` starts the sound and returns at once; a sound still playing is not doubled."""

    def __init__(self, path: Path | str, players: tuple[tuple[str, ...], ...] = PLAYERS, parent: Any = None):
        self.path = Path(path)
        self.command = next((c for c in players if shutil.which(c[0])), None)
        self.parent = parent
        self._proc: subprocess.Popen | None = None
        self._effect: Any = None

    @property
    def playing(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def play(self) -> bool:
        """True when a sound was started (or is still playing)."""
        if self.command is not None:
            if self.playing:
                return True
            try:
                self._proc = subprocess.Popen([*self.command, str(self.path)], stdin=subprocess.DEVNULL,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                return True
            except OSError:
                self.command = None  # gone since: fall back to Qt
        return self._play_qt()

    def _play_qt(self) -> bool:
        try:
            from PySide6.QtCore import QUrl
            from PySide6.QtMultimedia import QSoundEffect

            if self._effect is None:
                self._effect = QSoundEffect(self.parent)
                self._effect.setSource(QUrl.fromLocalFile(str(self.path)))
            self._effect.play()
            return True
        except Exception:  # noqa: BLE001 - no sound device: the screen still shows it
            return False

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                proc.kill()
