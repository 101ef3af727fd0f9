#!/usr/bin/env python3
"""Generate the hall chime, assets/sounds/chime.wav: a soft two-tone "ding-dong" bell.

    python tools/make_chime.py [--out PATH] [--rate 22050]

Two notes a major third apart, falling (E5 then C5), each a sum of decaying sine partials with a
slightly inharmonic top partial for a bell-like shimmer. A few milliseconds of attack and a
cosine fade at the end avoid clicks. The output is deterministic (same bytes every run), 16-bit
mono at the voice's rate (22050 Hz), peak about -4.4 dBFS so it is not louder than the voice.
"""

from __future__ import annotations

import argparse
import math
import wave
from array import array
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "assets" / "sounds" / "chime.wav"

LENGTH = 1.2  # seconds
PEAK = 0.6  # of full scale
ATTACK = 0.006  # seconds (raised-cosine attack)
FADE = 0.08  # seconds of cosine fade-out at the end
# (start second, fundamental Hz, loudness)
NOTES = ((0.0, 659.25, 1.0), (0.42, 523.25, 0.95))
# (frequency ratio, amplitude, decay time constant in seconds)
PARTIALS = ((1.0, 1.0, 0.55), (2.0, 0.35, 0.30), (3.0, 0.12, 0.18), (4.16, 0.06, 0.10))


def chime_samples(rate: int = 22050) -> array:
    n = round(LENGTH * rate)
    buf = [0.0] * n
    for start, f0, loud in NOTES:
        first = round(start * rate)
        for ratio, amp, tau in PARTIALS:
            w = 2 * math.pi * f0 * ratio / rate
            if f0 * ratio >= rate / 2:
                continue  # above Nyquist at low rates
            for i in range(first, n):
                t = (i - first) / rate
                rise = 1.0 if t >= ATTACK else 0.5 * (1 - math.cos(math.pi * t / ATTACK))
                env = math.exp(-t / tau) * rise
                buf[i] += loud * amp * env * math.sin(w * (i - first))
    fade_n = round(FADE * rate)
    for k in range(fade_n):
        buf[n - fade_n + k] *= 0.5 * (1 + math.cos(math.pi * (k + 1) / fade_n))
    top = max(abs(x) for x in buf) or 1.0
    gain = PEAK * 32767 / top
    return array("h", (int(round(x * gain)) for x in buf))


def write(path: Path, rate: int = 22050) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = chime_samples(rate)
    if array("h", [1]).tobytes() != b"\x01\x00":
        samples.byteswap()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--rate", type=int, default=22050)
    args = ap.parse_args(argv)
    out = write(args.out, args.rate)
    print(f"wrote {out} ({out.stat().st_size} bytes, {LENGTH} s, {args.rate} Hz mono 16-bit)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
