"""``QtPlayer``: the ``Player`` port on QtMultimedia (QMediaPlayer + QAudioOutput).

Create it on the GUI thread (after the QApplication). The announcer's worker thread calls
``play(path)``: the request goes to the GUI thread through a queued signal, the worker waits on a
``threading.Event`` until the GUI thread reports the end of the media, or ``duration + slack``
seconds pass (then playback is stopped and ``AudioUnavailable`` raised). Called on the GUI thread
itself, ``play`` runs a local event loop until the end instead.

With no audio output, QtMultimedia "plays" silently to the end; ``QtPlayer`` checks
``QMediaDevices.audioOutputs()`` first and raises ``AudioUnavailable`` instead, so the log says
"silent" rather than "played".
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, QTimer, QUrl, Signal, Slot
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

from display.voice.audio import wav_duration
from display.voice.players import AudioUnavailable

__all__ = ["QtPlayer", "audio_outputs", "quiet_ffmpeg_log"]

# QtMultimedia's FFmpeg backend logs, at info level, its version and an "Input #0, wav, from ...
# Duration ... Stream #0:0 ..." dump for every file it opens: four lines per announcement on the
# display's terminal. Warnings and errors stay on; QT_LOGGING_RULES (read after these rules) can
# turn the info lines back on for debugging: QT_LOGGING_RULES="qt.multimedia.ffmpeg*.info=true".
FFMPEG_QUIET_RULES = "qt.multimedia.ffmpeg*.info=false\nqt.multimedia.ffmpeg*.debug=false"


def quiet_ffmpeg_log() -> None:
    """Silence the FFmpeg backend's per-file info dump (see ``FFMPEG_QUIET_RULES``)."""
    from PySide6.QtCore import QLoggingCategory

    QLoggingCategory.setFilterRules(FFMPEG_QUIET_RULES)



def audio_outputs() -> list[str]:
    """Descriptions of the audio outputs Qt can see (empty: no sound device)."""
    return [d.description() for d in QMediaDevices.audioOutputs()]


@dataclass
class _Job:
    token: int
    path: str
    done: threading.Event = field(default_factory=threading.Event)
    error: str | None = None
    loop: QEventLoop | None = None  # set while play() waits on the GUI thread itself

    def finish(self, error: str | None = None) -> None:
        if not self.done.is_set():
            self.error = error
            self.done.set()
        if self.loop is not None:
            self.loop.quit()


class QtPlayer(QObject):
    """Plays WAV files through the default audio output, one at a time.

    ``slack``: how long past the WAV's length to wait for the end of playback before giving up.
    The end is reported only once the sound device has played the buffered audio; on a
    PulseAudio null sink that came 1.9-2.0 s after the WAV's length, hence 3 s rather than 2.
    """

    _request = Signal(int)
    _cancel = Signal(int)

    def __init__(self, parent: QObject | None = None, *, slack: float = 3.0) -> None:
        super().__init__(parent)
        self.slack = slack
        quiet_ffmpeg_log()
        self._player = QMediaPlayer(self)
        self._output = QAudioOutput(self)
        self._player.setAudioOutput(self._output)
        self._player.mediaStatusChanged.connect(self._on_status)
        self._player.errorOccurred.connect(self._on_error)
        self._request.connect(self._start, Qt.ConnectionType.QueuedConnection)
        self._cancel.connect(self._abort, Qt.ConnectionType.QueuedConnection)
        self._tokens = itertools.count(1)
        self._jobs: dict[int, _Job] = {}
        self._jobs_lock = threading.Lock()
        self._one_at_a_time = threading.Lock()
        self._current: _Job | None = None  # touched on the GUI thread only
        self._volume = 1.0

    # -- Player port (any thread) ------------------------------------------------------------------

    def play(self, path: Path) -> None:
        path = Path(path)
        if not path.exists():
            raise AudioUnavailable(f"no such file: {path}")
        limit = wav_duration(path) + self.slack
        with self._one_at_a_time:
            job = _Job(next(self._tokens), str(path.resolve()))
            with self._jobs_lock:
                self._jobs[job.token] = job
            try:
                if QThread.currentThread() is self.thread():
                    self._play_here(job, limit)
                else:
                    self._request.emit(job.token)
                    job.done.wait(limit)
                if not job.done.is_set():
                    self._cancel.emit(job.token)
                    job.finish(
                        f"playback did not finish within {limit:.1f} s "
                        "(is the Qt event loop running?)"
                    )
            finally:
                with self._jobs_lock:
                    self._jobs.pop(job.token, None)
        if job.error:
            raise AudioUnavailable(job.error)

    def stop(self) -> None:
        """Cut the current playback short (the waiting ``play`` returns)."""
        with self._jobs_lock:
            tokens = list(self._jobs)
        for t in tokens:
            self._cancel.emit(t)

    def set_volume(self, volume: float) -> None:
        self._volume = max(0.0, min(1.0, volume))

    # -- GUI thread ----------------------------------------------------------------------------------

    def _play_here(self, job: _Job, limit: float) -> None:
        """play() called on the GUI thread: run a local event loop until the end or ``limit``.
        Not a processEvents() busy loop: under PySide6 6.12 on Python 3.11 each such call costs
        a reference to None (6.12 is excluded by the pin in pyproject.toml)."""
        loop = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        job.loop = loop
        try:
            self._start(job.token)
            if not job.done.is_set():
                timer.start(int(limit * 1000))
                loop.exec()
        finally:
            timer.stop()
            job.loop = None

    @Slot(int)
    def _start(self, token: int) -> None:
        with self._jobs_lock:
            job = self._jobs.get(token)
        if job is None:  # the caller gave up already
            return
        if self._current is not None:
            self._current.finish("interrupted by another playback")
            self._current = None
        devices = QMediaDevices.audioOutputs()
        if not devices:
            job.finish("no audio output device")
            return
        self._output.setDevice(QMediaDevices.defaultAudioOutput())
        self._output.setVolume(self._volume)
        self._current = job
        self._player.stop()
        self._player.setSource(QUrl())  # force a reload even when the file is the same
        self._player.setSource(QUrl.fromLocalFile(job.path))
        self._player.play()

    @Slot(int)
    def _abort(self, token: int) -> None:
        if self._current is not None and self._current.token == token:
            job, self._current = self._current, None
            self._player.stop()
            job.finish(job.error)

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        job = self._current
        if job is None:
            return
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            self._current = None
            job.finish()
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._current = None
            job.finish(f"cannot play {job.path}: {self._player.errorString() or 'invalid media'}")

    def _on_error(self, error: QMediaPlayer.Error, message: str) -> None:
        job = self._current
        if job is not None and error != QMediaPlayer.Error.NoError:
            self._current = None
            self._player.stop()
            job.finish(f"audio error: {message or error.name}")
