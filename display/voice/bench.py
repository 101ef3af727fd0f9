"""``bench_voice()``: how long it takes from text to a playable WAV.

Measured with a fresh, empty cache: the first call (worker process start + render), new
phrases with a warm worker, the same phrases again (cache hits), and the chime + voice
assembly. Called by ``make bench``; also ``python -m display.voice.bench``.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from display.voice.audio import build_announcement, wav_duration
from display.voice.phrases import build_phrase
from display.voice.tts import SpeechRenderer, SpeechUnavailable

__all__ = ["bench_voice"]


def _ms(t0: float) -> float:
    return 1000 * (time.perf_counter() - t0)


def bench_voice(phrases: int = 8, lang: str = "id", quiet: bool = False) -> dict[str, float | str | None]:
    """Returns a dict of timings in ms (and the standard announcement's length in s), or
    ``{"skipped": reason}`` when speech is unavailable. Prints a summary unless ``quiet``."""
    from antrian.paths import asset

    texts = [build_phrase("K", 12 + i, 7, "Disdukcapil", lang=lang) for i in range(phrases)]
    with tempfile.TemporaryDirectory(prefix="mpp-voice-bench-") as tmp:
        cache = Path(tmp)
        try:
            with SpeechRenderer(cache) as r:
                t0 = time.perf_counter()
                first = r.render(texts[0], lang)
                cold = _ms(t0)
                new = []
                for text in texts[1:]:
                    t0 = time.perf_counter()
                    r.render(text, lang)
                    new.append(_ms(t0))
                cached = []
                for text in texts:
                    t0 = time.perf_counter()
                    r.render(text, lang)
                    cached.append(_ms(t0))
        except SpeechUnavailable as e:
            result: dict[str, float | str | None] = {"skipped": str(e)}
            if not quiet:
                print(f"voice bench skipped: {e}")
            return result
        chime = asset("sounds", "chime.wav")
        t0 = time.perf_counter()
        call = build_announcement(first, cache / "call.wav", chime if chime.exists() else None)
        assemble = _ms(t0)
        result = {
            "first_render_ms": round(cold, 1),
            "new_phrase_ms": round(statistics.median(new), 1) if new else None,
            "cached_ms": round(statistics.median(cached), 3),
            "assemble_ms": round(assemble, 1),
            "voice_s": round(wav_duration(first), 2),
            "announcement_s": round(wav_duration(call), 2),
        }
    if not quiet:
        print(
            "voice: first render (worker start) {first_render_ms} ms; new phrase {new_phrase_ms} ms;"
            " cached {cached_ms} ms; chime+voice assembly {assemble_ms} ms;"
            " voice {voice_s} s, announcement {announcement_s} s".format(**result)
        )
    return result


if __name__ == "__main__":
    bench_voice()
