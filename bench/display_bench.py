"""Hall display: how fast a call reaches the screen and the speaker.

1. call committed by another process -> the current number painted (the window's
   ``number_painted`` hook), p50/p95 over ~30 calls: SQLite polling (target p95 <= 300 ms) and,
   with ``pg_url``, PostgreSQL with LISTEN/NOTIFY (target p95 <= 150 ms);
2. the chime start (a player that timestamps the start of each play), and how far apart the
   chime and the paint are (|chime start - paint|). The two happen in different threads: the
   window hands the call to the announcer's thread *before* it repaints, so with a cached WAV the
   chime starts first, and with a new phrase (speech rendered) the paint does. Both are therefore
   measured from the commit (3. below is the chime start), and the skew is reported unsigned with the count of calls where the
   chime came first;
3. WAV (chime + voice) ready after the commit, for new phrases and for cached ones
   (target <= 1.5 s).

Offscreen Qt, the real ``DisplayWindow``, ``EventFeed``, ``Announcer`` and ``SpeechRenderer``
(espeak-ng); calls come from a separate process with its own connection, spaced 1.1-1.5 s apart
so each one is painted at once (highlight 1 s) and the poll phase is random. A real screen adds
its refresh (up to one frame) to (1).
"""

from __future__ import annotations

import multiprocessing as mp
import random
import statistics
import tempfile
import time
from pathlib import Path

CALLS = 30
COUNTERS = ["1", "2", "3", "4", "5", "6"]


def _hall_dict() -> dict:
    all_day = {d: ["00:00-23:59"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    return {
        "hall": {"name": "MPP Bench", "city": "Bench"},
        "defaults": {"hours": all_day},
        "agency": [{
            "code": "dukcapil", "name": "Disdukcapil", "spoken_name": "Disdukcapil", "prefix": "K",
            "colour": "#1565c0", "counters": [int(c) for c in COUNTERS],
            "service": [{"code": "ktp", "name": "KTP-el"}],
        }],
    }


def _hall():
    from antrian.config import HallFile, build_hall

    return build_hall(HallFile.model_validate(_hall_dict()), "<bench hall>")


from bench.core_bench import _fresh_db  # noqa: E402  (one way to make a bench database)


def _pct(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


def _caller(url: str, conn) -> None:
    """Another station: frees the counter, calls its next ticket, answers (number, commit time)."""
    from antrian.domain.errors import QueueError
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore

    q = QueueService(_hall(), SqlStore(url, auto_upgrade=False, pool_size=1))
    q.last_event_id()  # connected and warm
    conn.send("ready")
    while True:
        counter = conn.recv()
        if counter is None:
            break
        try:
            q.finish(counter)
        except QueueError:
            pass
        t = q.call_next(counter)
        conn.send((t.number, time.time()))
    q.store.dispose()


class _StampPlayer:
    """Timestamps the start of each play and returns at once (the next call is not held up
    behind seconds of audio, so each measurement is that call's own pipeline)."""

    def __init__(self):
        self.starts: list[float] = []

    def play(self, path) -> None:
        self.starts.append(time.time())


def _pump(app, until, timeout: float) -> bool:
    from PySide6.QtCore import QEventLoop

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if until():
            return True
        # blocks until an event arrives; the window's 100 ms tick bounds the wait
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
    return until()


def _renderer(cache_dir: Path):
    """A started SpeechRenderer, or None (with the reason) when there is no speech engine."""
    from display.voice.tts import SpeechError, SpeechRenderer

    r = SpeechRenderer(cache_dir, timeout=10.0)
    try:
        r.start()
    except SpeechError as e:
        r.close()
        return None, str(e)
    return r, ""


def _one_pass(app, url: str, cache_dir: Path, n_calls: int, poll_ms: int = 200) -> dict:
    """``n_calls`` calls from another process to a fresh display; the timings of each."""
    from display.voice.announcer import Announcer, AnnouncementLog
    from display.window import DisplayWindow
    from antrian import paths
    from antrian.config import DisplaySettings
    from antrian.services.ports import SystemClock
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore
    from qtshared.common import EventFeed

    hall = _hall()
    store = SqlStore(url)
    clock = SystemClock()
    queue = QueueService(hall, store, clock)
    for _ in range(n_calls):
        queue.issue("ktp")
    renderer, why = _renderer(cache_dir)
    player = _StampPlayer()
    announcer = Announcer(renderer, player, chime_path=paths.asset("sounds", "chime.wav"), log=AnnouncementLog())
    settings = DisplaySettings(poll_ms=poll_ms, highlight_seconds=1)
    feed = EventFeed(queue, poll_ms=settings.poll_ms)
    window = DisplayWindow(hall, queue, settings, feed, announcer, clock, min_turn=0.5)
    painted: dict[str, float] = {}
    window.number_painted.connect(lambda n: painted.setdefault(n, time.time()))
    window.resize(1920, 1080)
    window.show()
    window.start()
    ctx = mp.get_context("spawn")
    here, there = ctx.Pipe()
    proc = ctx.Process(target=_caller, args=(url, there), daemon=True)
    proc.start()
    commits: list[tuple[str, float]] = []
    try:
        if not _pump(app, lambda: feed.is_online is True and feed.after_id is not None, 10):
            raise RuntimeError("the display did not come online")
        if not _pump(app, lambda: here.poll(), 30) or here.recv() != "ready":
            raise RuntimeError("the calling process did not start")
        rng = random.Random(7)
        for i in range(n_calls):
            here.send(COUNTERS[i % len(COUNTERS)])
            _pump(app, here.poll, 10)
            number, committed = here.recv()
            commits.append((number, committed))
            _pump(app, lambda: number in painted, 5)
            pause = time.monotonic() + rng.uniform(1.1, 1.5)
            _pump(app, lambda: time.monotonic() >= pause, 2)
        if renderer is not None:
            _pump(app, lambda: announcer.pending == 0, 30)
    finally:
        here.send(None)
        proc.join(10)
        window.shutdown()
        feed.stop()
        announcer.stop(drain=False, timeout=5)
        if renderer is not None:
            renderer.close()
        window.close()
        window.deleteLater()
        store.dispose()
    paint_ms = [1000 * (painted[n] - t) for n, t in commits if n in painted]
    out = {"paint_ms": paint_ms, "missed": len(commits) - len(paint_ms), "speech": why}
    if renderer is not None and len(player.starts) == len(commits):
        # play order = call order (one announcer thread); the paint and the chime start are both
        # stamped after the commit, in either order (see the module doc)
        out["chime_minus_paint_ms"] = [1000 * (s - painted[n]) for (n, _), s in zip(commits, player.starts)
                                       if n in painted]
        out["wav_after_commit_ms"] = [1000 * (s - t) for (_, t), s in zip(commits, player.starts)]
    return out


def run(report, pg_url: str | None = None) -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["display-bench"])
    with tempfile.TemporaryDirectory(prefix="mpp-display-bench-") as d:
        tmp = Path(d)
        cache = tmp / "voice-cache"
        passes = [("sqlite", "new phrases"), ("sqlite", "cached phrases")]
        if pg_url:
            passes.append(("pg", "cached phrases"))
        else:
            print("  (PostgreSQL NOTIFY skipped: MPP_TEST_PG_URL is not set)")
        for kind, phrases in passes:
            url, drop = _fresh_db(kind, pg_url, tmp)
            try:
                r = _one_pass(app, url, cache, CALLS)
            finally:
                drop()
            how = "SQLite poll 200 ms" if kind == "sqlite" else "PostgreSQL NOTIFY"
            target = "target p95 <= 300 ms" if kind == "sqlite" else "target p95 <= 150 ms"
            if phrases == "new phrases" or kind == "pg":
                ms = r["paint_ms"]
                report(f"display {how}: commit -> painted p50", statistics.median(ms), "ms")
                report(f"display {how}: commit -> painted p95", _pct(ms, 0.95), "ms", target)
                report(f"display {how}: calls not painted", r["missed"], "", "target 0")
            if kind != "sqlite":
                continue
            if "wav_after_commit_ms" not in r:
                print(f"  (voice timings skipped: {r['speech'] or 'speech did not run for every call'})")
                continue
            w = r["wav_after_commit_ms"]
            skew = [abs(x) for x in r["chime_minus_paint_ms"]]
            first = sum(1 for x in r["chime_minus_paint_ms"] if x < 0)
            # the stages in the order they happened (each from the commit, so none is negative)
            stages = sorted([("painted", statistics.median(r["paint_ms"])), ("chime starts", statistics.median(w))],
                            key=lambda s: s[1])
            print(f"  (display, {phrases}: commit 0 ms -> " + " -> ".join(f"{n} {v:.0f} ms" for n, v in stages)
                  + ", p50 from the commit)")
            report(f"display |chime start - paint| p50 ({phrases})", statistics.median(skew), "ms",
                   f"chime first in {first}/{len(skew)}")
            report(f"display |chime start - paint| p95 ({phrases})", _pct(skew, 0.95), "ms")
            report(f"display commit -> chime starts (WAV ready) p50 ({phrases})", statistics.median(w), "ms")
            report(f"display commit -> chime starts (WAV ready) p95 ({phrases})", _pct(w, 0.95), "ms",
                   "target p95 <= 1500 ms" if phrases == "new phrases" else "much less than new")
