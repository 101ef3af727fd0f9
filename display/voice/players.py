"""The ``Player`` port (play one WAV, blocking until it has finished) and its plain adapters.

``QtPlayer`` (QtMultimedia, for the hall display) lives in ``qt_player`` so that nothing here
imports Qt.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, Protocol, runtime_checkable

from display.voice.audio import wav_duration

__all__ = [
    "AudioUnavailable",
    "Player",
    "NullPlayer",
    "RecordingPlayer",
    "CommandPlayer",
    "Play",
]


class AudioUnavailable(RuntimeError):
    """No audio output works (no device, no sound server, playback never finished)."""


@runtime_checkable
class Player(Protocol):
    def play(self, path: Path) -> None:
        """Play the WAV at ``path``; return when it has finished. Raise ``AudioUnavailable``
        when it cannot be heard."""
        ...


class NullPlayer:
    """Plays nothing but takes as long as the WAV lasts (times ``speed``), so a hall without a
    sound device keeps the same rhythm. ``stop()`` cuts the current wait short."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed
        self._cut = threading.Event()

    def play(self, path: Path) -> None:
        self._cut.clear()
        self._cut.wait(wav_duration(path) * self.speed)

    def stop(self) -> None:
        self._cut.set()


class Play(NamedTuple):
    path: Path
    start: float  # time.monotonic()
    end: float


class RecordingPlayer:
    """For tests: records every play as ``(path, start, end)``.

    Each play takes ``seconds`` if given, else the WAV's duration times ``time_scale``.
    ``fail_with`` makes every play raise that exception (after recording the attempt).
    ``max_concurrent`` shows whether two plays ever overlapped.
    """

    def __init__(
        self,
        seconds: float | None = 0.0,
        time_scale: float = 1.0,
        fail_with: BaseException | None = None,
    ) -> None:
        self.seconds = seconds
        self.time_scale = time_scale
        self.fail_with = fail_with
        self.plays: list[Play] = []
        self.max_concurrent = 0
        self._playing = 0
        self._lock = threading.Lock()

    def play(self, path: Path) -> None:
        with self._lock:
            self._playing += 1
            self.max_concurrent = max(self.max_concurrent, self._playing)
        start = time.monotonic()
        try:
            if self.fail_with is not None:
                raise self.fail_with
            wait = self.seconds if self.seconds is not None else wav_duration(path) * self.time_scale
            if wait > 0:
                time.sleep(wait)
        finally:
            end = time.monotonic()
            with self._lock:
                self._playing -= 1
                self.plays.append(Play(Path(path), start, end))

    @property
    def paths(self) -> list[Path]:
        return [p.path for p in self.plays]


class CommandPlayer:
    """Plays through a command-line player: ``paplay`` (PulseAudio / PipeWire), ``pw-play``,
    ``aplay`` (ALSA), the first that is installed and works.

    ``command`` fixes the command (the WAV path is appended). A play that fails or outlasts the
    WAV by more than ``slack`` seconds raises ``AudioUnavailable`` with the player's message.
    """

    CANDIDATES: tuple[tuple[str, ...], ...] = (("paplay",), ("pw-play",), ("aplay", "-q"))

    def __init__(self, command: Sequence[str] | None = None, slack: float = 5.0) -> None:
        self.command = tuple(command) if command else None
        self.slack = slack
        self._proc: subprocess.Popen | None = None

    @classmethod
    def installed(cls) -> list[tuple[str, ...]]:
        return [c for c in cls.CANDIDATES if shutil.which(c[0])]

    def play(self, path: Path) -> None:
        commands = [self.command] if self.command else self.installed()
        if not commands:
            raise AudioUnavailable(
                "no command-line audio player found (install pulseaudio-utils or alsa-utils)"
            )
        timeout = wav_duration(path) + self.slack
        problems = []
        for cmd in commands:
            try:
                self._run([*cmd, str(path)], timeout)
            except AudioUnavailable as e:
                problems.append(f"{cmd[0]}: {e}")
                continue
            self.command = cmd  # remember the one that works
            return
        raise AudioUnavailable("; ".join(problems))

    def _run(self, argv: list[str], timeout: float) -> None:
        try:
            self._proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, so a wrapper's children go too
            )
        except OSError as e:
            raise AudioUnavailable(str(e)) from None
        try:
            _, err = self._proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(self._proc, getattr(signal, "SIGKILL", signal.SIGTERM))  # no SIGKILL on Windows
            self._proc.communicate()
            raise AudioUnavailable(f"did not finish within {timeout:.1f} s") from None
        finally:
            proc, self._proc = self._proc, None
        if proc.returncode != 0:
            lines = (err or b"").decode(errors="replace").strip().splitlines()
            raise AudioUnavailable(lines[-1] if lines else f"exit code {proc.returncode}")

    def stop(self) -> None:
        proc = self._proc
        if proc is not None:
            _kill_group(proc, signal.SIGTERM)


def _kill_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(OSError):
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, sig)
        else:  # Windows
            proc.kill()
