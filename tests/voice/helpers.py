"""Helpers for the voice tests: synthetic WAVs, a fake renderer, the real-speech check."""

from __future__ import annotations

import ctypes.util
import importlib.util
import math
import shutil
import threading
import wave
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHIME = ROOT / "antrian" / "data" / "sounds" / "chime.wav"


def speech_missing() -> str | None:
    """Why real speech cannot be tested here, or None."""
    if importlib.util.find_spec("pyttsx3") is None:
        return "pyttsx3 is not installed (pip install pyttsx3)"
    if not (ctypes.util.find_library("espeak-ng") or shutil.which("espeak-ng")):
        return "espeak-ng is not installed (apt install espeak-ng libespeak-ng1)"
    return None


def make_tone(
    path: Path,
    seconds: float = 0.2,
    rate: int = 22050,
    channels: int = 1,
    sampwidth: int = 2,
    freq: float = 440.0,
    amp: float = 0.5,
) -> Path:
    """A sine tone WAV in any PCM format (8/16/32-bit, mono/stereo)."""
    n = round(seconds * rate)
    vals = [amp * math.sin(2 * math.pi * freq * i / rate) for i in range(n)]
    if sampwidth == 1:
        frames = bytes(int(128 + 127 * v) for v in vals for _ in range(channels))
    elif sampwidth == 2:
        frames = array("h", (int(32767 * v) for v in vals for _ in range(channels))).tobytes()
    elif sampwidth == 4:
        frames = array("i", (int(2147483647 * v) for v in vals for _ in range(channels))).tobytes()
    else:
        raise ValueError(sampwidth)
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(sampwidth)
        w.setframerate(rate)
        w.writeframes(frames)
    return path


class FakeRenderer:
    """Stands in for SpeechRenderer: one short tone per distinct text, or an exception."""

    def __init__(self, cache_dir: Path, seconds: float = 0.1, fail_with: BaseException | None = None):
        self.cache_dir = cache_dir
        self.seconds = seconds
        self.fail_with = fail_with
        self.calls: list[tuple[str, str]] = []
        self.closed = False
        self._lock = threading.Lock()

    def render(self, text: str, lang: str) -> Path:
        with self._lock:
            self.calls.append((text, lang))
            if self.fail_with is not None:
                raise self.fail_with
            path = self.cache_dir / f"{lang}-{abs(hash(text)):x}.wav"
            if not path.exists():
                make_tone(path, self.seconds)
            return path

    def close(self) -> None:
        self.closed = True


