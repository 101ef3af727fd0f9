"""The hall's announcer: one call after another, in the order they were submitted, never two
at once.

``Announcer.submit()`` only puts the call on a queue (it never blocks the GUI or the poller).
One worker thread takes calls in order: builds the phrase, renders the voice WAV
(``SpeechRenderer``), puts the chime in front, hands the WAV to the ``Player`` and waits until it
has finished before taking the next. When speech or audio is missing the hall keeps working:
the call is logged "silent", the problem is logged once through ``logging``, and nothing is
raised to the caller.

Over 400 lines, on purpose: the one worker that orders calls, the phrase, the chime and the
player hand-off are one sequence; split, the ordering guarantee would span modules.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from display.voice.audio import build_announcement, prune_dir
from display.voice.phrases import build_phrase
from display.voice.players import (
    AudioUnavailable,
    CommandPlayer,
    NullPlayer,
    Play,
    Player,
    RecordingPlayer,
)
from display.voice.tts import SpeechRenderer, SpeechUnavailable

if TYPE_CHECKING:
    from antrian.config import VoiceSettings

__all__ = [
    "Announcement",
    "LogEntry",
    "AnnouncementLog",
    "Announcer",
    "Renderer",
    "Player",
    "AudioUnavailable",
    "NullPlayer",
    "RecordingPlayer",
    "CommandPlayer",
    "Play",
]

log = logging.getLogger(__name__)

PLAYED, SILENT, FAILED = "played", "silent", "failed"


@dataclass(frozen=True)
class Announcement:
    """One call to announce. ``number`` is the number as displayed ("K-012"); the voice uses
    ``prefix`` and ``seq``. ``spoken_agency`` is the agency's name as it should be heard."""

    event_id: int | str
    number: str
    prefix: str
    seq: int
    counter_number: int
    spoken_agency: str = ""
    recall: bool = False
    lang: str = "id"


@dataclass(frozen=True)
class LogEntry:
    event_id: int | str
    number: str
    counter: int
    text: str
    wav: str | None
    rendered_at: str | None
    played_at: str | None
    status: str  # "played" | "silent" | "failed"
    error: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


class AnnouncementLog:
    """What was announced, in order: the last ``keep`` entries in memory, and every entry
    appended as one JSON line to ``path`` when given. Thread-safe."""

    def __init__(self, path: Path | None = None, keep: int = 1000) -> None:
        self.path = Path(path) if path else None
        self._entries: deque[LogEntry] = deque(maxlen=keep)
        self._lock = threading.Lock()
        self._file_broken = False

    def append(self, entry: LogEntry) -> None:
        with self._lock:
            self._entries.append(entry)
            if self.path is None or self._file_broken:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.path, "a", encoding="utf-8") as fh:
                    fh.write(entry.to_json() + "\n")
            except OSError as e:
                self._file_broken = True
                log.warning("announcement log %s cannot be written (%s); keeping it in memory", self.path, e)

    def entries(self) -> list[LogEntry]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @staticmethod
    def read(path: Path) -> list[LogEntry]:
        """Entries from a JSON-lines file written by ``append``."""
        out = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    out.append(LogEntry(**json.loads(line)))
        return out


class Renderer(Protocol):
    """What the announcer needs from speech (``SpeechRenderer`` is the real one)."""

    def render(self, text: str, lang: str) -> Path: ...


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


class _Stop:
    pass


_STOP = _Stop()


class Announcer:
    """Plays announcements one at a time, in submit order.

    ``renderer`` None means speech is switched off (calls are logged "silent").
    ``chime_path`` None means no chime. ``volume`` (0-1) scales chime and voice together;
    ``repeat`` says the phrase that many times after one chime. ``work_dir`` holds the
    assembled chime+voice WAVs (default: ``<renderer cache>/calls``).
    ``on_done(entry)`` is called from the worker thread after each call.
    """

    def __init__(
        self,
        renderer: Renderer | None,
        player: Player,
        *,
        chime_path: Path | None = None,
        repeat: int = 1,
        volume: float = 1.0,
        work_dir: Path | None = None,
        log: AnnouncementLog | None = None,
        on_done: Callable[[LogEntry], None] | None = None,
        owns_renderer: bool = False,
        phrase: Callable[..., str] = build_phrase,
        keep_calls: int = 300,
        number_reading: str = "words",
    ) -> None:
        if repeat < 1:
            raise ValueError("repeat must be at least 1")
        if not 0.0 <= volume <= 1.0:
            raise ValueError("volume must be between 0 and 1")
        self.renderer = renderer
        self.player = player
        self.chime_path = Path(chime_path) if chime_path else None
        self.repeat = repeat
        self.volume = volume
        if work_dir is None:
            base = getattr(renderer, "cache_dir", None)
            if base is None:
                import tempfile

                base = Path(tempfile.gettempdir()) / "antrian-mpp-voice"
            work_dir = Path(base) / "calls"
        self.work_dir = Path(work_dir)
        self.log = log if log is not None else AnnouncementLog()
        self.on_done = on_done
        self._owns_renderer = owns_renderer
        self._phrase = phrase
        # how numbers are read ([hall] number_reading): "words" or "digits"; public, so the
        # composition root can set it from the hall after building the announcer from settings
        self.number_reading = number_reading
        self._keep_calls = keep_calls
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._state = threading.Condition()
        self._pending = 0
        self._stopping = False
        self._discard = False
        self._reported: set[str] = set()
        self._new_calls = 0

    @classmethod
    def from_settings(
        cls,
        settings: VoiceSettings,
        player: Player,
        *,
        cache_dir: Path | None = None,
        log_path: Path | None = None,
        chime_path: Path | None = None,
        timeout: float = 10.0,
        on_done: Callable[[LogEntry], None] | None = None,
    ) -> Announcer:
        """The announcer a station's ``[display.voice]`` settings describe. Speech is rendered
        at full volume; ``settings.volume`` scales the assembled chime+voice."""
        from antrian.paths import asset, data_dir

        renderer = None
        if settings.enabled:
            renderer = SpeechRenderer(
                cache_dir or data_dir() / "voice-cache", rate=settings.rate, timeout=timeout
            )
        chime = (chime_path or asset("sounds", "chime.wav")) if settings.chime else None
        return cls(
            renderer,
            player,
            chime_path=chime,
            repeat=settings.repeat,
            volume=settings.volume,
            log=AnnouncementLog(log_path),
            on_done=on_done,
            owns_renderer=True,
        )

    # -- public --------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker thread (``submit`` does it on first use)."""
        with self._state:
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
                self._thread.start()

    def submit(self, announcement: Announcement) -> bool:
        """Queue a call. Never blocks. Returns False (and drops it) after ``stop()``."""
        with self._state:
            if self._stopping:
                log.warning("announcer is stopped; not announcing %s", announcement.number)
                return False
            self._pending += 1
            self._queue.put(announcement)
        self.start()
        return True

    @property
    def pending(self) -> int:
        """Calls submitted and not yet finished (including the one playing)."""
        with self._state:
            return self._pending

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until every submitted call has finished. True if idle."""
        with self._state:
            return self._state.wait_for(lambda: self._pending == 0, timeout)

    def stop(self, drain: bool = True, timeout: float | None = 30.0) -> bool:
        """Stop taking calls. ``drain=True`` plays what is queued first; ``drain=False`` drops
        the queue and cuts the current playback short where the player allows (``stop()``).
        Closes the renderer if this announcer made it. True when the worker has ended."""
        with self._state:
            self._stopping = True
            if not drain:
                self._discard = True
            thread = self._thread
        if not drain:
            stop = getattr(self.player, "stop", None)
            if callable(stop):
                with contextlib.suppress(Exception):
                    stop()
        self._queue.put(_STOP)
        ended = True
        if thread is not None:
            thread.join(timeout)
            ended = not thread.is_alive()
        if ended and self._owns_renderer and self.renderer is not None:
            close = getattr(self.renderer, "close", None)
            if callable(close):
                with contextlib.suppress(Exception):
                    close()
        return ended

    # -- worker ----------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                break
            try:
                if self._discard:
                    log.info("announcer stopping: dropped the call for %s", item.number)
                    continue
                try:
                    entry = self._announce(item)
                except Exception as e:  # never let the worker die
                    self._report("internal", e, exc_info=True)
                    entry = LogEntry(
                        item.event_id, item.number, item.counter_number, "", None, None, None,
                        FAILED, f"{type(e).__name__}: {e}",
                    )
                self.log.append(entry)
                if self.on_done is not None:
                    try:
                        self.on_done(entry)
                    except Exception:
                        log.exception("announcer on_done callback failed")
            finally:
                with self._state:
                    self._pending -= 1
                    self._state.notify_all()

    def _announce(self, a: Announcement) -> LogEntry:
        if self.number_reading == "words":  # the default: keeps custom phrase functions working
            text = self._phrase(
                a.prefix, a.seq, a.counter_number, a.spoken_agency, lang=a.lang, recall=a.recall
            )
        else:
            text = self._phrase(
                a.prefix, a.seq, a.counter_number, a.spoken_agency, lang=a.lang, recall=a.recall,
                reading=self.number_reading, number=a.number,
            )
        status, error = PLAYED, None
        voice: Path | None = None
        rendered_at = None
        if self.renderer is None:
            status, error = SILENT, "speech is switched off"
        else:
            try:
                voice = self.renderer.render(text, a.lang)
                rendered_at = _now()
                self._recovered("speech")
            except SpeechUnavailable as e:
                status, error = SILENT, str(e)
                self._report("speech", e)
            except Exception as e:  # SpeechError or anything unexpected from the engine
                status, error = FAILED, f"{type(e).__name__}: {e}"
                self._report("speech", e)

        wav = self._assemble(voice) if voice is not None else None
        if wav is None and self.renderer is not None and self.chime_path is not None:
            wav = self.chime_path if self.chime_path.exists() else None  # at least the bell

        played_at = None
        if wav is not None:
            try:
                played_at = _now()
                self.player.play(wav)
                self._recovered("audio")
            except AudioUnavailable as e:
                played_at = None
                status = SILENT if status == PLAYED else status
                error = error or str(e)
                self._report("audio", e)
            except Exception as e:
                played_at = None
                status, error = FAILED, error or f"{type(e).__name__}: {e}"
                self._report("audio", e)
        return LogEntry(
            a.event_id, a.number, a.counter_number, text, str(wav) if wav else None,
            rendered_at, played_at, status, error,
        )

    def _assemble(self, voice: Path) -> Path:
        """chime + voice as one WAV (cached by its ingredients); the voice alone if the chime
        cannot be used."""
        chime = self.chime_path
        chime_id = "none"
        if chime is not None:
            try:
                st = chime.stat()
                chime_id = f"{chime}:{st.st_size}:{st.st_mtime_ns}"
            except OSError as e:
                self._report("chime", e)
                chime = None
        key = f"{voice.name}|{chime_id}|{self.repeat}|{self.volume:.3f}"
        out = self.work_dir / f"call-{hashlib.sha256(key.encode()).hexdigest()[:20]}.wav"
        if out.exists():
            return out
        try:
            build_announcement(voice, out, chime, repeat=self.repeat, volume=self.volume)
        except Exception as e:
            if chime is None:
                raise
            self._report("chime", e)
            build_announcement(voice, out, None, repeat=self.repeat, volume=self.volume)
        self._new_calls += 1
        if self._new_calls % 50 == 0:
            prune_dir(self.work_dir, "call-*.wav", self._keep_calls)
        return out

    def _report(self, kind: str, exc: BaseException, exc_info: bool = False) -> None:
        """Log a problem of one kind once (WARNING), later ones at DEBUG, until it recovers."""
        if kind in self._reported:
            log.debug("announcer %s problem again: %s", kind, exc)
            return
        self._reported.add(kind)
        hint = {
            "speech": "calls continue without voice",
            "audio": "calls continue silently",
            "chime": "calls continue without the chime",
        }.get(kind, "the announcer continues")
        log.warning("announcer: %s problem: %s (%s)", kind, exc, hint, exc_info=exc_info)

    def _recovered(self, kind: str) -> None:
        if kind in self._reported:
            self._reported.discard(kind)
            log.info("announcer: %s works again", kind)
