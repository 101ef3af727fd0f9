"""Speech worker stand-ins for the restart tests. They run in a spawned process, so they are
module-level functions (bound with functools.partial)."""

from __future__ import annotations

import math
import os
import time
import wave
from array import array
from pathlib import Path


def tone_worker(requests, results, options) -> None:
    """A worker without pyttsx3: answers every job with a 0.5 s tone."""
    results.put(("ready", 0, {"pid": os.getpid()}))
    while True:
        job = requests.get()
        if job is None:
            return
        job_id, text, lang, rate, volume, out = job
        samples = array("h", (int(8000 * math.sin(i / 8)) for i in range(11025)))
        tmp = Path(out).with_name(f".{Path(out).stem}.{os.getpid()}.tmp.wav")
        with wave.open(str(tmp), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(22050)
            w.writeframes(samples.tobytes())
        os.replace(tmp, out)
        results.put(("done", job_id, {"voice": "tone"}))


def _first_time(marker: str) -> bool:
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def hang_on_first_job(marker: str, real: bool, requests, results, options) -> None:
    """First process: says ready, takes the job, then sleeps forever. Later ones work."""
    if _first_time(marker):
        results.put(("ready", 0, {"pid": os.getpid()}))
        requests.get()
        time.sleep(3600)
        return
    _work(real, requests, results, options)


def hang_at_start(marker: str, requests, results, options) -> None:
    """First process never says ready."""
    if _first_time(marker):
        time.sleep(3600)
        return
    tone_worker(requests, results, options)


def die_on_first_job(marker: str, requests, results, options) -> None:
    """First process crashes (like a segfault in the engine) on its first job."""
    if _first_time(marker):
        results.put(("ready", 0, {"pid": os.getpid()}))
        requests.get()
        os._exit(3)
    tone_worker(requests, results, options)


def always_hang(requests, results, options) -> None:
    results.put(("ready", 0, {"pid": os.getpid()}))
    requests.get()
    time.sleep(3600)


def no_engine(requests, results, options) -> None:
    """What the real worker sends when pyttsx3/espeak-ng cannot start."""
    results.put(("unavailable", 0, "speech engine could not start: OSError: libespeak-ng.so.1 missing"))


def _work(real: bool, requests, results, options) -> None:
    if real:
        from display.voice.tts import speech_worker

        speech_worker(requests, results, options)
    else:
        tone_worker(requests, results, options)
