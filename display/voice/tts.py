"""Text to WAV with pyttsx3 (espeak-ng on Linux), in a worker process, cached on disk.

pyttsx3 is not thread-safe and its espeak driver keeps state between calls (``save_to_file``
redirects later ``say()`` calls to that file; a second ``say()`` before ``runAndWait()``
replaces the first; ``runAndWait()`` may return before a file is written on some drivers). So:

- one engine lives in one worker *process* (spawn context), fed one job at a time by a queue;
- each job is exactly ``save_to_file`` + ``runAndWait``, then the worker waits for the
  'finished-utterance' callback AND for the file to exist and stop growing, checks it is a
  WAV with frames, and renames it into the cache (a reader never sees half a file);
- the parent waits for the answer with a timeout; a worker that hangs or dies is killed,
  a new one is started, and the job is tried once more;
- ``SpeechUnavailable`` says clearly when pyttsx3, espeak-ng or the language's voice is missing.

Rendered files are cached by a hash of (text, lang, rate, volume): a phrase heard before is
returned at once without touching the worker. ``render()`` may be called from several
threads; calls are serialised.

Over 400 lines, on purpose: the worker process, its protocol and the disk cache are one
unit; their failure handling (hang, death, half-written file) only makes sense read together.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import itertools
import json
import logging
import multiprocessing
import os
import queue as queue_mod
import signal
import threading
import time
import wave
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from display.voice.audio import prune_dir

__all__ = [
    "SpeechError",
    "SpeechUnavailable",
    "SpeechRenderer",
    "speech_worker",
    "choose_voice",
]

log = logging.getLogger(__name__)

CACHE_VERSION = 1  # bump when the way WAVs are made changes, to leave old cache entries behind


class SpeechError(RuntimeError):
    """Speech could not be rendered (worker hung or died twice, or the engine failed)."""


class SpeechUnavailable(SpeechError):
    """No speech engine: pyttsx3 or espeak-ng is missing, or it has no voice for the language."""


class _WorkerLost(Exception):
    """The worker hung (no answer in time) or died. Internal: triggers kill + restart + retry."""


# ---------------------------------------------------------------------------------------------
# The worker process


def choose_voice(voices: Iterable[tuple[str, Iterable[str]]], lang: str) -> str | None:
    """The voice id for ``lang`` among ``(id, languages)`` pairs.

    espeak-ng (through pyttsx3) names its voices like ``poz/id`` (Indonesian) and ``gmw/en``
    (English, Great Britain), with languages like ``['id']``, ``['en-gb']``. Preference: an id
    ending in ``/<lang>`` or equal to it, then a voice whose first language is exactly
    ``lang``, then one whose language starts with ``lang-`` (e.g. ``en-us``).
    """
    lang = lang.lower()
    voices = [(vid, [str(x).lower() for x in (langs or [])]) for vid, langs in voices]
    for vid, _ in voices:
        v = vid.lower()
        if v == lang or v.endswith("/" + lang):
            return vid
    for vid, langs in voices:
        if lang in langs:
            return vid
    for vid, langs in voices:
        if any(x.startswith(lang + "-") or x.startswith(lang + "_") for x in langs):
            return vid
    return None


def _wait_for_file(path: Path, finished: threading.Event, deadline: float) -> str | None:
    """Wait until 'finished-utterance' came and ``path`` exists and stopped growing.
    Returns None when done, or what is missing at the deadline."""
    last_size = -1
    stable = 0
    while True:
        size = path.stat().st_size if path.exists() else -1
        if finished.is_set() and size > 44:
            stable = stable + 1 if size == last_size else 0
            if stable >= 2:
                return None
        last_size = size
        if time.monotonic() > deadline:
            if not finished.is_set():
                return "no 'finished-utterance' callback"
            if size < 0:
                return "the WAV file was not written"
            return f"the WAV file did not settle (size {size})"
        time.sleep(0.01)


def _no_wait(timeout: float = 0.0) -> None:
    return None


def _idle_waiter(engine: Any) -> Callable[[float], None]:
    """A function that waits until espeak-ng has nothing queued (no-op for other drivers).

    pyttsx3's espeak driver runs espeak-ng in its asynchronous mode, where voice/rate/volume
    changes are commands on espeak's own queue. If ``runAndWait()`` starts while espeak is still
    busy with them (or with the end of the previous utterance), the driver's ``endLoop`` calls
    ``stop()``, which cancels the utterance that is about to start: 'finished-utterance' comes
    with ``completed=False`` and the WAV is empty (44 bytes) or mixed up. Seen in 28 of 300
    renders under CPU load; none once the worker waits for espeak to be idle first.
    """
    if str(engine) != "espeak":
        return _no_wait
    try:
        from pyttsx3.drivers import _espeak

        is_playing = _espeak.IsPlaying
    except Exception:
        return _no_wait

    def wait(timeout: float = 2.0) -> None:
        deadline = time.monotonic() + timeout
        while is_playing() and time.monotonic() < deadline:
            time.sleep(0.002)

    return wait


def _clear_stale_stop(engine: Any) -> None:
    """pyttsx3 2.99's espeak driver keeps a ``_stopping`` flag set by a ``stop()`` that found
    espeak busy; left set, it cancels the next utterance. Clear it (guarded: private API)."""
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if driver is not None and getattr(driver, "_stopping", False):
        driver._stopping = False


def speech_worker(requests: Any, results: Any, options: dict) -> None:
    """Entry point of the worker process: owns the one pyttsx3 engine.

    Messages in: ``(job_id, text, lang, rate, volume, out_path)`` or ``None`` to stop.
    Messages out: ``("ready", 0, info)`` once, or ``("unavailable", 0, why)`` and exit; then per
    job ``("done", job_id, info)``, ``("error", job_id, why)`` or ``("unavailable", job_id, why)``.
    """
    with contextlib.suppress(ValueError, OSError):  # Ctrl+C is the parent's business
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import pyttsx3

        engine = pyttsx3.init(options.get("driver"))
        voices = [(v.id, list(v.languages or [])) for v in engine.getProperty("voices")]
        wait_idle = _idle_waiter(engine)
        wait_idle(2.0)
        with contextlib.redirect_stdout(io.StringIO()):
            engine.runAndWait()  # empty run: leaves the driver not busy, so commands run at once
    except Exception as e:  # ImportError, OSError (libespeak-ng missing), RuntimeError (init)
        results.put(("unavailable", 0, f"speech engine could not start: {type(e).__name__}: {e}"))
        return

    finished = threading.Event()
    outcome: dict[str, Any] = {}

    def on_finished(**kw: Any) -> None:
        outcome["completed"] = kw.get("completed", True)
        finished.set()

    engine.connect("finished-utterance", on_finished)
    chosen: dict[str, str | None] = {}
    results.put(("ready", 0, {"pid": os.getpid(), "driver": str(engine), "voices": len(voices)}))
    file_wait = float(options.get("file_wait", 5.0))
    attempts = int(options.get("attempts", 3))

    def render_once(text: str, voice: str, rate: int, volume: float, tmp: Path) -> str | None:
        """One save_to_file + runAndWait. None if a complete WAV is at ``tmp``, else why not."""
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        wait_idle(2.0)
        _clear_stale_stop(engine)
        finished.clear()
        outcome.clear()
        engine.setProperty("voice", voice)
        engine.setProperty("rate", int(rate))
        engine.setProperty("volume", float(volume))
        wait_idle(2.0)  # let espeak apply them before the utterance starts (see _idle_waiter)
        # pyttsx3 2.99's espeak driver prints "Audio saved to ..." on stdout.
        with contextlib.redirect_stdout(io.StringIO()):
            engine.save_to_file(text, str(tmp))
            engine.runAndWait()
        missing = _wait_for_file(tmp, finished, time.monotonic() + file_wait)
        wait_idle(2.0)
        if missing:
            return missing
        if outcome.get("completed") is False:
            return "the utterance was cancelled (completed=False)"
        with wave.open(str(tmp), "rb") as w:
            if w.getnframes() <= 0:
                return "the engine wrote an empty WAV"
        return None

    while True:
        job = requests.get()
        if job is None:
            break
        job_id, text, lang, rate, volume, out = job
        out = Path(out)
        tmp = out.with_name(f".{out.stem}.{os.getpid()}.tmp.wav")
        try:
            if lang not in chosen:
                chosen[lang] = choose_voice(voices, lang)
            voice = chosen[lang]
            if voice is None:
                results.put(("unavailable", job_id, f"the speech engine has no voice for '{lang}'"))
                continue
            t0 = time.monotonic()
            problems = []
            for _ in range(attempts):
                problem = render_once(text, voice, rate, volume, tmp)
                if problem is None:
                    break
                problems.append(problem)
            else:
                results.put(("error", job_id, "speech engine: " + "; ".join(problems)))
                continue
            with wave.open(str(tmp), "rb") as w:
                seconds = w.getnframes() / w.getframerate()
            os.replace(tmp, out)
            info = {
                "voice": voice,
                "seconds": seconds,
                "ms": 1000 * (time.monotonic() - t0),
                "retries": len(problems),
            }
            results.put(("done", job_id, info))
        except Exception as e:
            results.put(("error", job_id, f"{type(e).__name__}: {e}"))
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()


# ---------------------------------------------------------------------------------------------
# The parent side


class SpeechRenderer:
    """Renders text to WAV files in ``cache_dir`` through one speech worker process.

    ``rate`` is espeak's words per minute, ``volume`` 0-1. ``timeout`` bounds one attempt
    (starting the worker if needed, plus rendering); a hung or dead worker is killed and
    restarted and the job tried once more, so a call takes at most about ``2 * timeout``.
    The worker starts on the first uncached ``render()`` (or ``start()``), never in ``__init__``.

    ``worker_target`` replaces the worker's entry point (tests use it to simulate a hang); it
    must be picklable (a module-level function, or a ``functools.partial`` of one).
    """

    def __init__(
        self,
        cache_dir: Path,
        rate: int = 150,
        volume: float = 1.0,
        timeout: float = 10.0,
        *,
        worker_target: Callable[..., None] | None = None,
        driver: str | None = None,
        max_cache_files: int = 2000,
    ) -> None:
        if not 0.0 <= volume <= 1.0:
            raise ValueError("volume must be between 0 and 1")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.cache_dir = Path(cache_dir)
        self.rate = int(rate)
        self.volume = float(volume)
        self.timeout = float(timeout)
        self.max_cache_files = max_cache_files
        self._target = worker_target or speech_worker
        self._options = {"driver": driver}
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.RLock()
        self._jobs = itertools.count(1)
        self._proc: Any = None
        self._requests: Any = None
        self._results: Any = None
        self._unavailable: str | None = None
        self._no_voice: dict[str, str] = {}
        self._closed = False
        self._new_since_prune = 0
        self.restarts = 0  # workers killed and replaced (hung or died)
        self.problems: list[str] = []  # why each restart happened: "... (hung)", "died ..."
        self.worker_starts = 0  # worker processes started
        self.last_render_ms: float | None = None
        self.last_info: dict | None = None  # the worker's report on the last new render

    # -- public ------------------------------------------------------------------------------

    def cache_path(self, text: str, lang: str) -> Path:
        key = json.dumps([CACHE_VERSION, text, lang, self.rate, round(self.volume, 3)])
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
        return self.cache_dir / f"{lang}-{digest}.wav"

    def is_cached(self, text: str, lang: str) -> bool:
        return _usable(self.cache_path(text.strip(), lang))

    def render(self, text: str, lang: str = "id") -> Path:
        """The WAV for ``text`` spoken in ``lang`` ("id", "en"); from the cache when possible.

        Raises ``SpeechUnavailable`` (no engine / no voice) or ``SpeechError`` (failed twice).
        """
        text = " ".join(str(text).split())
        if not text:
            raise ValueError("nothing to say: empty text")
        path = self.cache_path(text, lang)
        if _usable(path):
            _touch(path)
            self.last_render_ms = 0.0
            return path
        with self._lock:
            if self._closed:
                raise SpeechError("the speech renderer is closed")
            if _usable(path):  # another thread rendered it while we waited
                return path
            if self._unavailable:
                raise SpeechUnavailable(self._unavailable)
            if lang in self._no_voice:
                raise SpeechUnavailable(self._no_voice[lang])
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            t0 = time.monotonic()
            problem: _WorkerLost | None = None
            for attempt in (1, 2):
                deadline = time.monotonic() + self.timeout
                try:
                    self._ensure_worker(deadline)
                    self._render_once(text, lang, path, deadline)
                    break
                except _WorkerLost as e:
                    problem = e
                    self.restarts += 1
                    self.problems.append(str(e))
                    log.warning(
                        "speech worker %s (attempt %d of 2); restarting it", e, attempt
                    )
                    self._kill_worker()
            else:
                raise SpeechError(f"speech failed twice: {problem}")
            self.last_render_ms = 1000 * (time.monotonic() - t0)
            self._new_since_prune += 1
            if self._new_since_prune >= 50:
                self._new_since_prune = 0
                self.prune_cache()
            return path

    def start(self) -> None:
        """Start the worker now (optional warm-up so the first call is not slower)."""
        with self._lock:
            if self._closed:
                raise SpeechError("the speech renderer is closed")
            if self._unavailable:
                raise SpeechUnavailable(self._unavailable)
            try:
                self._ensure_worker(time.monotonic() + self.timeout)
            except _WorkerLost as e:
                self._kill_worker()
                raise SpeechError(f"speech worker did not start: {e}") from None

    @property
    def worker_pid(self) -> int | None:
        p = self._proc
        return p.pid if p is not None and p.is_alive() else None

    def prune_cache(self, keep: int | None = None) -> int:
        """Delete the least recently used WAVs beyond ``keep`` files. Returns how many went."""
        return prune_dir(self.cache_dir, "*.wav", self.max_cache_files if keep is None else keep)

    def close(self) -> None:
        """Stop the worker. Idempotent; cached files stay."""
        with self._lock:
            self._closed = True
            proc = self._proc
            if proc is None:
                return
            with contextlib.suppress(Exception):
                self._requests.put(None)
            proc.join(2.0)
            self._kill_worker()

    def __enter__(self) -> SpeechRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals -----------------------------------------------------------------------------

    def _ensure_worker(self, deadline: float) -> None:
        if self._proc is not None and self._proc.is_alive():
            return
        if self._proc is not None:
            code = self._proc.exitcode
            self._kill_worker()
            log.warning("speech worker had exited (code %s); starting a new one", code)
        if self._target is speech_worker and importlib.util.find_spec("pyttsx3") is None:
            self._unavailable = "pyttsx3 is not installed (pip install pyttsx3; apt install espeak-ng)"
            raise SpeechUnavailable(self._unavailable)
        self._requests = self._ctx.Queue()
        self._results = self._ctx.Queue()
        self._proc = self._ctx.Process(
            target=self._target,
            args=(self._requests, self._results, dict(self._options)),
            name="speech-worker",
            daemon=True,
        )
        self._proc.start()
        self.worker_starts += 1
        kind, _job, info = self._receive(0, deadline, what="start")
        if kind == "unavailable":
            self._unavailable = str(info)
            self._kill_worker()
            raise SpeechUnavailable(self._unavailable)
        if kind != "ready":
            raise _WorkerLost(f"sent {kind!r} instead of 'ready'")
        log.debug("speech worker ready: %s", info)

    def _render_once(self, text: str, lang: str, path: Path, deadline: float) -> None:
        job = next(self._jobs)
        self._requests.put((job, text, lang, self.rate, self.volume, str(path)))
        kind, _job, info = self._receive(job, deadline, what="render")
        if kind == "done":
            self.last_info = info
            if not _usable(path):
                raise SpeechError(f"speech worker reported success but {path} is missing")
            return
        if kind == "unavailable":
            self._no_voice[lang] = str(info)
            raise SpeechUnavailable(str(info))
        raise SpeechError(str(info))

    def _receive(self, job: int, deadline: float, what: str) -> tuple[str, int, Any]:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _WorkerLost(f"did not {what} within {self.timeout:g} s (hung)")
            try:
                msg = self._results.get(timeout=min(0.1, remaining))
            except queue_mod.Empty:
                if not self._proc.is_alive():
                    # a last message may still be in the pipe
                    try:
                        msg = self._results.get(timeout=0.05)
                    except queue_mod.Empty:
                        raise _WorkerLost(
                            f"died during {what} (exit code {self._proc.exitcode})"
                        ) from None
                else:
                    continue
            except (EOFError, OSError) as e:
                raise _WorkerLost(f"connection lost during {what}: {e}") from None
            kind, got, info = msg
            if got == job or (job == 0 and kind in ("ready", "unavailable")):
                return kind, got, info
            log.debug("speech worker: ignoring stale message %r", msg)

    def _kill_worker(self) -> None:
        proc, self._proc = self._proc, None
        reqs, res = self._requests, self._results
        self._requests = self._results = None
        if proc is not None:
            if proc.is_alive():
                proc.terminate()
                proc.join(1.0)
            if proc.is_alive():
                proc.kill()
                proc.join(1.0)
            for stale in self.cache_dir.glob(f".*.{proc.pid}.tmp.wav"):
                with contextlib.suppress(OSError):
                    stale.unlink()
            with contextlib.suppress(Exception):
                proc.close()
        for q in (reqs, res):
            if q is not None:
                with contextlib.suppress(Exception):
                    q.cancel_join_thread()
                    q.close()


def _usable(path: Path) -> bool:
    try:
        return path.stat().st_size > 44  # more than a bare WAV header
    except OSError:
        return False


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.utime(path)
