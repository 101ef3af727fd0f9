"""WAV utilities in pure Python (``wave`` + ``array``; no audioop, which Python 3.13 removed).

Everything is converted to signed 16-bit PCM in the voice's format (espeak-ng via pyttsx3 gives
22050 Hz mono), so the chime, silences and voice can simply be concatenated into one file that
any player can play without gaps between the parts.
"""

from __future__ import annotations

import os
import sys
import tempfile
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "WavFormat",
    "VOICE_FORMAT",
    "read_pcm16",
    "write_wav",
    "convert",
    "silence",
    "scale",
    "build_announcement",
    "wav_duration",
    "peak",
    "prune_dir",
]


@dataclass(frozen=True)
class WavFormat:
    framerate: int = 22050
    channels: int = 1
    sampwidth: int = 2  # bytes per sample; everything written here is 16-bit


VOICE_FORMAT = WavFormat()  # what pyttsx3's espeak driver writes


def _to_int16(frames: bytes, sampwidth: int) -> array:
    if sampwidth == 2:
        out = array("h")
        out.frombytes(frames)
        if sys.byteorder == "big":
            out.byteswap()  # WAV is little-endian
        return out
    if sampwidth == 1:  # unsigned 8-bit
        return array("h", ((b - 128) << 8 for b in frames))
    if sampwidth == 3:  # keep the two most significant bytes of each little-endian triple
        return array(
            "h",
            (
                int.from_bytes(frames[i + 1 : i + 3], "little", signed=True)
                for i in range(0, len(frames) - 2, 3)
            ),
        )
    if sampwidth == 4:
        wide = array("i")
        wide.frombytes(frames)
        if sys.byteorder == "big":
            wide.byteswap()
        return array("h", (s >> 16 for s in wide))
    raise ValueError(f"unsupported sample width: {sampwidth} bytes")


def _mix(samples: array, src_channels: int, dst_channels: int) -> array:
    if src_channels == dst_channels:
        return samples
    if src_channels != 1:  # down to mono by averaging the channels of each frame
        n = src_channels
        samples = array(
            "h", (sum(samples[i : i + n]) // n for i in range(0, len(samples) - n + 1, n))
        )
    if dst_channels == 1:
        return samples
    out = array("h", bytes(2 * len(samples) * dst_channels))
    for c in range(dst_channels):
        out[c::dst_channels] = samples
    return out


def _resample(samples: array, channels: int, src_rate: int, dst_rate: int) -> array:
    """Linear interpolation, channel by channel. Good enough for a chime and speech."""
    if src_rate == dst_rate or not samples:
        return samples
    frames = len(samples) // channels
    n_out = max(1, round(frames * dst_rate / src_rate))
    step = src_rate / dst_rate
    out = array("h", bytes(2 * n_out * channels))
    for c in range(channels):
        src = samples[c::channels]
        last = len(src) - 1
        res = array("h", bytes(2 * n_out))
        for i in range(n_out):
            x = i * step
            j = int(x)
            if j >= last:
                res[i] = src[last]
            else:
                f = x - j
                res[i] = int(round(src[j] + (src[j + 1] - src[j]) * f))
        out[c::channels] = res
    return out


def read_pcm16(path: Path | str, fmt: WavFormat | None = None) -> tuple[array, WavFormat]:
    """Samples of a PCM WAV as signed 16-bit, converted to ``fmt`` (rate, channels) if given."""
    with wave.open(str(path), "rb") as w:
        if w.getcomptype() != "NONE":
            raise ValueError(f"{path}: compressed WAV ({w.getcompname()}) is not supported")
        src = WavFormat(w.getframerate(), w.getnchannels(), w.getsampwidth())
        frames = w.readframes(w.getnframes())
    samples = _to_int16(frames, src.sampwidth)
    got = WavFormat(src.framerate, src.channels, 2)
    if fmt is None:
        return samples, got
    return convert(samples, got, fmt), WavFormat(fmt.framerate, fmt.channels, 2)


def convert(samples: array, src: WavFormat, dst: WavFormat) -> array:
    """16-bit samples from one rate/channel layout to another."""
    samples = _mix(samples, src.channels, dst.channels)
    return _resample(samples, dst.channels, src.framerate, dst.framerate)


def silence(seconds: float, fmt: WavFormat = VOICE_FORMAT) -> array:
    n = max(0, round(seconds * fmt.framerate)) * fmt.channels
    return array("h", bytes(2 * n))


def scale(samples: array, gain: float) -> array:
    """Samples times ``gain``, clipped to 16 bits."""
    if gain == 1.0:
        return samples
    if gain <= 0.0:
        return array("h", bytes(2 * len(samples)))
    return array("h", (max(-32768, min(32767, int(s * gain))) for s in samples))


def peak(samples: array) -> float:
    """Peak level, 0.0-1.0."""
    if not samples:
        return 0.0
    return max(max(samples), -min(samples)) / 32768.0


def _little_endian(samples: array) -> bytes:
    """WAV frames are little-endian 16-bit."""
    if sys.byteorder == "big":
        data = array("h", samples)
        data.byteswap()
        return data.tobytes()
    return samples.tobytes()


def write_wav(path: Path | str, samples: array, fmt: WavFormat = VOICE_FORMAT) -> Path:
    """Write 16-bit samples atomically (temp file + rename), so a reader never sees half a file.
    A path that exists and is not a regular file (a device such as /dev/null, a pipe) is written
    in place: renaming over it would replace the device with a file."""
    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        with open(path, "wb") as fh, wave.open(fh, "wb") as w:
            w.setnchannels(fmt.channels)
            w.setsampwidth(2)
            w.setframerate(fmt.framerate)
            w.writeframes(_little_endian(samples))
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".wav.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh, wave.open(fh, "wb") as w:
            w.setnchannels(fmt.channels)
            w.setsampwidth(2)
            w.setframerate(fmt.framerate)
            w.writeframes(_little_endian(samples))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def build_announcement(
    voice: Path | str,
    out: Path | str,
    chime: Path | str | None = None,
    *,
    repeat: int = 1,
    volume: float = 1.0,
    gap: float = 0.3,
    pause: float = 1.0,
    tail: float = 0.25,
) -> Path:
    """One WAV: ``chime + gap + voice (+ pause + voice) * (repeat - 1) + tail``.

    The chime is converted to the voice's rate and channels. ``volume`` (0-1) scales the whole
    announcement. With ``chime=None`` the announcement is the voice alone.
    """
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    if not 0.0 <= volume <= 1.0:
        raise ValueError("volume must be between 0 and 1")
    voice_samples, fmt = read_pcm16(voice)
    parts: list[array] = []
    if chime is not None:
        chime_samples, _ = read_pcm16(chime, fmt)
        parts += [chime_samples, silence(gap, fmt)]
    for i in range(repeat):
        if i:
            parts.append(silence(pause, fmt))
        parts.append(voice_samples)
    parts.append(silence(tail, fmt))
    whole = array("h")
    for p in parts:
        whole.extend(p)
    return write_wav(out, scale(whole, volume), fmt)


def wav_duration(path: Path | str) -> float:
    """Length of a WAV file in seconds."""
    with wave.open(str(path), "rb") as w:
        rate = w.getframerate()
        return w.getnframes() / rate if rate else 0.0


def prune_dir(directory: Path | str, pattern: str = "*.wav", keep: int = 1000) -> int:
    """Delete the least recently modified files matching ``pattern`` beyond ``keep``.
    Returns how many were deleted."""
    try:
        files = sorted(Path(directory).glob(pattern), key=lambda p: p.stat().st_mtime)
    except OSError:
        return 0
    gone = 0
    for p in files[: max(0, len(files) - keep)]:
        try:
            p.unlink()
            gone += 1
        except OSError:
            pass
    return gone
