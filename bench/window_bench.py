"""The station windows with a day of 100k tickets (issue 11): F1 to the officer window's repaint,
and each window's memory after the day went through its event feed.

Each window gets a fresh SQLite file with 100,000 waiting tickets of today (inserted directly, as
bench.core_bench does) in the bench hall (one agency, 3 services, counters 1-6), and runs as the
real `mpp <window>` process (offscreen Qt, MPP_ALWAYS_OPEN=1) with a bench-only window hook (no
product switch):

- counter: presses F1 (call next) ``PRESSES`` times, each after the previous call is finished, and
  stamps every stage of it: key press -> the write starts on the worker thread -> the write
  (``queue.call_next``, the floor of the row) -> the reads (counter view and waiting counts) ->
  the result reaches the GUI thread -> the render (the widgets updated) -> painted (a paint-event
  filter on every widget: the first paint after that render, and the paint pass over when a 0 ms
  timer posted from it fires). Each stage is printed as wall-clock p50/p95 and as the CPU time
  of the thread that ran it (``time.thread_time``: on a loaded machine the wall clock mostly
  measures the other processes), with the share of the window repainted and, for scale, what
  one repaint of the whole window costs (``QWidget.grab``). Target: p50 <= 20 ms.
- every window (counter, kiosk, display, monitor): when it is up (and the counter's presses are
  done) the parent writes a day of event log for the 100k tickets (issued, called, finished:
  300k events, in batches, while the window runs) and tells the window the last id; the window
  waits until its event feed has handed it that id, settles ``SETTLE_S`` and reports VmRSS.
  Target <= 150 MB. (The kiosk follows no event feed: its row is its memory after the same time.)

    python -m bench.window_bench              # the rows, as `python -m bench windows`
    python -m bench.window_bench child KIND   # one window (used by the rows)

MPP_WINDOW_BENCH_WAITING (default 100000) and MPP_WINDOW_BENCH_KINDS (counter,kiosk,display,monitor)
make a quick look smaller; MPP_WINDOW_BENCH_DEBUG=1 shows the windows' stderr and each press.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WAITING = int(os.environ.get("MPP_WINDOW_BENCH_WAITING", "100000"))  # smaller for a quick look
PRESSES = 30
DAY_BATCH = 5000  # tickets per transaction of the day's events
SETTLE_S = 2.0  # after the first refresh: let the timers of the window run their first rounds
QUIET_MS = 30
WINDOW_TIMEOUT_S = 900.0
ROOT = Path(__file__).resolve().parent.parent

HALL_TOML = """\
[hall]
name = "Bench"
city = "Bench"

[defaults.hours]
mon = ["00:00-23:59"]
tue = ["00:00-23:59"]
wed = ["00:00-23:59"]
thu = ["00:00-23:59"]
fri = ["00:00-23:59"]
sat = ["00:00-23:59"]
sun = ["00:00-23:59"]

[[agency]]
code = "dukcapil"
name = "Disdukcapil"
prefix = "K"
counters = [1, 2, 3, 4, 5, 6]

[[agency.service]]
code = "ktp"
name = "KTP-el"

[[agency.service]]
code = "kk"
name = "KK"

[[agency.service]]
code = "akta"
name = "Akta"
"""


def _rss_mb() -> tuple[float, float]:
    """(VmRSS now, peak) of this process in MB."""
    now = float("nan")
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KB on Linux
    return now, peak


# ------------------------------------------------------------------------------ the child


class _Press:
    """One F1: perf_counter stamps of each stage, from the key press to the painted window."""

    def __init__(self, t0: float):
        self.t0 = t0
        self.spans: dict[str, list[tuple[float, float]]] = {}  # queue method -> [(start, end)]
        self.render: tuple[float, float] | None = None  # the render that shows the called ticket
        self.paint_first: float | None = None  # the first paint event after that render
        self.painted: float | None = None  # that paint pass over (a 0 ms timer after it)
        self.painted_widgets: set[str] = set()
        self.painted_area = 0.0  # the share of the window repainted in that pass (0..1)
        self.cpu: dict[str, float] = {}  # CPU time of the thread doing each stage (s), for a noisy machine
        self.gui_cpu_at_render_end = 0.0

    def stages(self) -> dict[str, float] | None:
        """ms per stage; None if a stamp is missing."""
        call = self.spans.get("call_next", [])
        if not call or self.render is None or self.painted is None:
            return None
        w0, w1 = call[0]
        # the reads: from the first read after the write to the end of the background job that
        # read (counter_view, then the waiting counts: status() or the day's counts alone)
        reads = [s for s in self.spans.get("counter_view", []) if s[0] >= w1]
        r0 = min((s[0] for s in reads), default=w1)
        ends = [s[1] for s in reads] + [s[1] for s in self.spans.get("status", []) if s[0] >= r0]
        ends += [s[1] for s in self.spans.get("job", []) if s[0] <= r0 <= s[1]]
        r1 = min(max(ends, default=w1), self.render[0])
        ms = 1000.0
        return {
            "key -> write starts": ms * (w0 - self.t0),
            "write (call_next)": ms * (w1 - w0),
            "write done -> reads start": ms * (r0 - w1),
            "reads (view + waiting counts)": ms * (r1 - r0),
            "reads done -> render starts": ms * (self.render[0] - r1),
            "render (widgets updated)": ms * (self.render[1] - self.render[0]),
            "render done -> painted": ms * (self.painted - self.render[1]),
            "total": ms * (self.painted - self.t0),
        }

    def cpu_stages(self) -> dict[str, float]:
        """ms of CPU time (time.thread_time of the thread that ran it) per stage."""
        job = self.cpu.get("job", 0.0)
        return {"write (call_next)": 1000 * self.cpu.get("call_next", 0.0),
                "reads (view + waiting counts)": 1000 * max(0.0, self.cpu.get("reads", job - self.cpu.get("call_next", 0.0))),
                "render (widgets updated)": 1000 * self.cpu.get("render", 0.0),
                "render done -> painted": 1000 * self.cpu.get("paint", 0.0)}


def _max_event_id(batch) -> int:
    events = getattr(batch, "events", batch)  # a list of events, or a page of them
    return max((e.id for e in events if getattr(e, "id", None) is not None), default=0)


def _child(kind: str, argv: list[str]) -> int:
    import threading

    from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer
    from PySide6.QtGui import QRegion
    from PySide6.QtWidgets import QApplication

    import qtshared.common as qc
    from mpp.cli import main as mpp_main

    out: dict = {"kind": kind}
    press_debug: list = []
    feeds: list = []
    seen = {"max_id": 0}
    target: dict[str, int | None] = {"id": None}

    original_init = qc.EventFeed.__init__

    from PySide6.QtCore import Slot

    class Seen(QObject):
        """Counts the day's events as the GUI thread takes them (a slot of a GUI-thread object:
        a queued connection, so a batch counts once the window's own slots have had it, not when
        the feed's thread read it)."""

        @Slot(object)
        def took(self, batch) -> None:
            seen["max_id"] = max(seen["max_id"], _max_event_id(batch))

    seen_by_gui: list = []

    def init(self, *a, **k):  # every feed this window makes
        original_init(self, *a, **k)
        feeds.append(self)
        if not seen_by_gui:
            seen_by_gui.append(Seen())
        self.events.connect(seen_by_gui[0].took)

    qc.EventFeed.__init__ = init  # type: ignore[method-assign]

    def read_target() -> None:  # the parent writes the last event id of the day it fed in
        line = sys.stdin.readline()
        target["id"] = int(line) if line.strip() else 0

    threading.Thread(target=read_target, daemon=True).start()

    def finish(window) -> None:
        if os.environ.get("MPP_WINDOW_BENCH_TRIM"):
            import ctypes
            out["before_trim_mb"] = _rss_mb()[0]
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        out["rss_mb"], out["peak_mb"] = _rss_mb()
        if os.environ.get("MPP_WINDOW_BENCH_DEBUG"):
            from collections import Counter
            top = Counter(k.split(".")[0] for k in sys.modules)
            print("modules", len(sys.modules), top.most_common(25), file=sys.stderr, flush=True)
            print("status", [ln for ln in Path("/proc/self/status").read_text().splitlines()
                             if ln.startswith(("Rss", "VmData", "Threads"))], file=sys.stderr, flush=True)
            import gc
            print("objects", Counter(type(o).__name__ for o in gc.get_objects()).most_common(12), file=sys.stderr,
                  flush=True)
        print("MPP_WINDOW_BENCH " + json.dumps(out), flush=True)
        if kind == "kiosk":
            window.exit_kiosk()
        else:
            window.close()
        QApplication.instance().quit()

    def wait_for(cond, then, timeout_s: float = 600.0, every_ms: int = 5) -> None:
        deadline = time.monotonic() + timeout_s

        def tick() -> None:
            if cond():
                then()
            elif time.monotonic() > deadline:
                if os.environ.get("MPP_WINDOW_BENCH_DEBUG") and press_debug:
                    q = press_debug[0]
                    print("stuck", q.spans, q.render, q.paint_first, q.painted, file=sys.stderr, flush=True)
                out["error"] = f"the window did not get there within {timeout_s:.0f} s"
                out["rss_mb"], out["peak_mb"] = _rss_mb()
                print("MPP_WINDOW_BENCH " + json.dumps(out), flush=True)
                QApplication.instance().exit(3)
            else:
                QTimer.singleShot(every_ms, tick)

        QTimer.singleShot(0, tick)

    def the_day(window) -> None:
        """Ask the parent for the day's events, wait until the window's feed has read them all and
        the window has settled, then measure."""
        out["rss_before_day_mb"] = _rss_mb()[0]
        print("MPP_WINDOW_BENCH_READY", flush=True)
        started = [0.0]

        def caught_up() -> bool:
            if target["id"] is None:
                return False
            if not started[0]:
                started[0] = time.perf_counter()
            return not feeds or seen["max_id"] >= target["id"]

        def settled() -> None:
            out["catch_up_s"] = round(time.perf_counter() - started[0], 2)
            QTimer.singleShot(int(SETTLE_S * 1000), lambda: finish(window))

        wait_for(caught_up, settled, every_ms=20)

    def hook(built_kind: str, window) -> None:
        if built_kind != kind:
            return
        if kind == "counter":
            def ready() -> bool:
                return window.panel is not None and window.panel.loaded and not window.panel.busy \
                    and not window.panel._refreshing

            wait_for(ready, lambda: QTimer.singleShot(int(SETTLE_S * 1000), lambda: presses(window)))
        elif kind == "kiosk":
            wait_for(lambda: window.availability is not None,
                     lambda: QTimer.singleShot(int(SETTLE_S * 1000), lambda: the_day(window)))
        elif kind == "display":
            wait_for(lambda: window.feed.is_online is True and window.feed.after_id is not None,
                     lambda: QTimer.singleShot(int(SETTLE_S * 1000), lambda: the_day(window)))
        else:  # monitor: its first refresh is done when it shows a snapshot
            wait_for(lambda: getattr(window.panel, "snapshot", None) is not None,
                     lambda: QTimer.singleShot(int(SETTLE_S * 1000), lambda: the_day(window)))

    def presses(window) -> None:
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QWidget

        out["rss_before_f1_mb"] = _rss_mb()[0]
        panel = window.panel
        queue = panel.presenter.queue
        press: list[_Press | None] = [None]

        def timed(name: str):
            inner = getattr(queue, name)

            def run(*a, **k):
                t, c = time.perf_counter(), time.thread_time()
                try:
                    return inner(*a, **k)
                finally:
                    p = press[0]
                    if p is not None:
                        p.spans.setdefault(name, []).append((t, time.perf_counter()))
                        if name == "call_next":
                            p.cpu[name] = time.thread_time() - c
            return run

        for name in ("call_next", "counter_view", "status"):
            setattr(queue, name, timed(name))
        runner = panel.runner
        submit = runner.submit

        def timed_submit(fn, *a, **k):
            def job():
                t, c = time.perf_counter(), time.thread_time()
                try:
                    return fn()
                finally:
                    p = press[0]
                    if p is not None:
                        p.spans.setdefault("job", []).append((t, time.perf_counter()))
                        if "call_next" in p.spans and "job" not in p.cpu:
                            p.cpu["job"] = time.thread_time() - c
                        elif "call_next" in p.spans and p.spans["call_next"][0][1] <= t and "reads" not in p.cpu:
                            p.cpu["reads"] = time.thread_time() - c
            return submit(job, *a, **k)
        runner.submit = timed_submit
        render = panel._render

        def timed_render() -> None:
            t, c = time.perf_counter(), time.thread_time()
            render()
            p = press[0]
            if p is not None and p.render is None and panel.current is not None and "call_next" in p.spans:
                p.render = (t, time.perf_counter())
                p.gui_cpu_at_render_end = time.thread_time()
                p.cpu["render"] = p.gui_cpu_at_render_end - c
        panel._render = timed_render

        class Paints(QObject):
            def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
                p = press[0]
                if event.type() in (QEvent.Type.Move, QEvent.Type.Resize) and p is not None \
                        and p.render is not None and p.painted is None:
                    p.painted_widgets.add("(moved or resized) " + (obj.objectName() or type(obj).__name__))
                if event.type() == QEvent.Type.Paint and p is not None and p.render is not None \
                        and p.painted is None:
                    if p.paint_first is None:
                        p.paint_first = time.perf_counter()
                        def over() -> None:
                            p.painted = time.perf_counter()
                            p.cpu["paint"] = time.thread_time() - p.gui_cpu_at_render_end
                        QTimer.singleShot(0, over)
                    p.painted_widgets.add(obj.objectName() or type(obj).__name__)
                    r = event.rect()
                    region[0] = region[0].united(QRect(obj.mapTo(window, r.topLeft()), r.size()))
                    whole = window.width() * window.height()
                    p.painted_area = sum(x.width() * x.height() for x in region[0]) / whole if whole else 0.0
                return False

        region = [QRegion()]
        paints = Paints(window)  # parented: the filter lives as long as the window
        for w in [window, *window.findChildren(QWidget)]:
            w.installEventFilter(paints)
        done: list[_Press] = []
        grabs: list[float] = []

        def idle() -> bool:
            return not panel.busy and not panel._refreshing

        def round_() -> None:
            if len(done) >= PRESSES:
                rows = [s for p in done if (s := p.stages()) is not None]
                out["f1_stages"] = rows
                out["f1_cpu"] = [p.cpu_stages() for p in done if p.stages() is not None]
                out["missing"] = len(done) - len(rows)
                out["painted_widgets"] = sorted(set().union(*(p.painted_widgets for p in done)))
                out["grab_ms"] = grabs
                out["painted_area"] = [p.painted_area for p in done]
                the_day(window)
                return
            if panel.current is not None:  # F1 on an open ticket asks first: finish it beforehand
                panel.presenter.act("finish")
                wait_for(lambda: idle() and panel.current is None, lambda: QTimer.singleShot(20, round_))
                return
            if not window.isActiveWindow():
                window.windowHandle().requestActivate()
            # what a repaint of the whole window costs (for scale: the panel only repaints what changed)
            t = time.perf_counter()
            window.grab()
            grabs.append(1000 * (time.perf_counter() - t))
            p = press[0] = _Press(time.perf_counter())
            press_debug[:] = [p]
            region[0] = QRegion()
            QTest.keyClick(panel.scan, Qt.Key.Key_F1)

            def over() -> bool:
                return p.painted is not None and idle() and time.perf_counter() - p.painted > QUIET_MS / 1000

            def next_one() -> None:
                if os.environ.get("MPP_WINDOW_BENCH_DEBUG"):
                    print("press", p.stages(), file=sys.stderr, flush=True)
                press[0] = None
                done.append(p)
                QTimer.singleShot(20, round_)

            wait_for(over, next_one, timeout_s=20, every_ms=2)

        round_()

    return mpp_main(argv, window_hooks=(hook,))


# ------------------------------------------------------------------------------ the rows


def _preload(url: str) -> None:
    from bench.core_bench import _preload as core_preload

    core_preload(url, WAITING)


def _feed_day(url: str) -> int:
    """A day of ``WAITING`` tickets in the event log, as the hall's stations would have written
    it: each ticket issued, called at one of the six counters and finished (3 events a ticket,
    spread over the last ten hours), inserted directly in batches while the window runs. The
    tickets' rows stay as preloaded (waiting): what the windows keep is what the feed hands them.
    Returns the last event id."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import func, insert, select

    from antrian.storage import tables as T
    from antrian.storage.db import SqlStore

    store = SqlStore(url, auto_upgrade=False)
    now = datetime.now(timezone.utc)
    step = timedelta(hours=10) / max(1, WAITING)
    try:
        for k in range(1, WAITING + 1, DAY_BATCH):
            rows = []
            for i in range(k, min(WAITING, k + DAY_BATCH - 1) + 1):
                at = now - (WAITING - i) * step
                number, service = f"K-{i:03d}", ("ktp", "kk", "akta")[i % 3]
                counter = str(1 + i % 6)
                base = dict(ticket_id=i, number=number, service_code=service)
                rows.append(dict(base, at=at, type="issued", counter_code=None, officer=None,
                                 payload=json.dumps({"ahead": 0, "eta_minutes": 0, "priority": None})))
                rows.append(dict(base, at=at + step / 3, type="called", counter_code=counter, officer="budi",
                                 payload=json.dumps({"prefix": "K", "seq": i})))
                rows.append(dict(base, at=at + 2 * step / 3, type="finished", counter_code=counter, officer="budi",
                                 payload=json.dumps({"service_s": 300})))
            with store.raw_engine().begin() as conn:
                conn.execute(insert(T.events), rows)
        with store.raw_engine().connect() as conn:
            return int(conn.execute(select(func.max(T.events.c.id))).scalar_one() or 0)
    finally:
        store.dispose()


def _proc_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def _run_window(kind: str, base: list[str], env: dict[str, str], url: str,
                timeout_s: float = WINDOW_TIMEOUT_S) -> dict:
    """One window process; its result line, or (timed out: the GUI thread never got back to its
    timers) {"error": ..., "rss_mb": the largest VmRSS seen from outside}. When the window says
    it is ready, the day's events are written and their last id is sent to it."""
    import threading

    args = {
        "counter": ["counter", "--counter", "1", "--windowed", "--user", "budi", "--pin", "123456"],
        "monitor": ["monitor", "--windowed", "--user", "sri", "--pin", "567890"],
        "kiosk": ["kiosk", "--windowed", "--width", "1920", "--height", "1080"],
        "display": ["display", "--windowed", "--no-voice"],
    }[kind]
    cmd = [sys.executable, "-m", "bench.window_bench", "child", kind, *base, *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=None if os.environ.get("MPP_WINDOW_BENCH_DEBUG") else subprocess.DEVNULL, text=True)
    found: list[dict] = []
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("MPP_WINDOW_BENCH_READY"):
                ready.set()
            elif line.startswith("MPP_WINDOW_BENCH "):
                found.append(json.loads(line.split(" ", 1)[1]))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen = 0.0
    fed: dict[str, float] = {}
    deadline = time.monotonic() + timeout_s
    try:
        while not found and proc.poll() is None and time.monotonic() < deadline:
            seen = max(seen, _proc_rss_mb(proc.pid) or 0.0)
            if ready.is_set() and not fed:
                t = time.perf_counter()
                last = _feed_day(url)
                fed["s"] = time.perf_counter() - t
                assert proc.stdin is not None
                proc.stdin.write(f"{last}\n")
                proc.stdin.flush()
            time.sleep(0.25)
        if found:
            proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(5)
    if found:
        if os.environ.get("MPP_WINDOW_BENCH_DEBUG"):
            print(found[0].get("before_trim_mb"), file=sys.stderr)
        return dict(found[0], largest_seen_mb=seen, feed_s=fed.get("s"))
    return {"kind": kind, "error": f"no result within {timeout_s:.0f} s (exit {proc.returncode}): the window "
                                   "did not get back to its event loop", "rss_mb": seen, "peak_mb": seen}


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


def _report_f1(report, r: dict) -> None:
    rows = r["f1_stages"]
    if r.get("missing"):
        print(f"  (counter: {r['missing']} presses without every stamp)")
    if not rows:
        return
    stages = list(rows[0])
    floor = statistics.median(x["write (call_next)"] for x in rows)
    cpu = r.get("f1_cpu") or []
    print(f"  counter F1, per stage over {len(rows)} presses ({WAITING // 1000}k waiting; ms wall p50 / p95, "
          "and CPU time of the thread running it p50):")
    for name in stages:
        values = [x[name] for x in rows]
        c = f"{statistics.median(x[name] for x in cpu):8.2f}" if cpu and name in cpu[0] else ""
        print(f"    {name:<34} {statistics.median(values):8.2f} {_pct(values, 0.95):8.2f} {c}")
    print(f"    widgets painted after the call: {', '.join(r.get('painted_widgets', []))}")
    if r.get("painted_area"):
        print(f"    share of the window repainted after the call: {100 * statistics.median(r['painted_area']):.0f} % p50")
    if r.get("grab_ms"):
        print(f"    (for scale: one repaint of the whole window, QWidget.grab: "
              f"{statistics.median(r['grab_ms']):.2f} ms p50)")
    total = [x["total"] for x in rows]
    report(f"counter window: F1 -> repainted after the call, p50 ({WAITING // 1000}k waiting)",
           statistics.median(total), "ms", "target <= 20 ms", floor=floor)
    report(f"counter window: F1 -> repainted after the call, p95 ({len(rows)} presses)", _pct(total, 0.95), "ms",
           "", floor=floor)


def run(report) -> None:
    from mpp.cli import main as mpp_main

    with tempfile.TemporaryDirectory(prefix="mpp-window-bench-") as d:
        tmp = Path(d)
        hall = tmp / "hall.toml"
        hall.write_text(HALL_TOML, encoding="utf-8")
        station = tmp / "station.toml"
        station.write_text('[printer]\nbackend = "dummy"\n', encoding="utf-8")
        kinds = os.environ.get("MPP_WINDOW_BENCH_KINDS", "counter,kiosk,display,monitor").split(",")
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MPP_DATA_DIR=str(tmp / "data"), MPP_ALWAYS_OPEN="1",
                   MPP_USER="kepala", MPP_PIN="246810")
        print(f"  (floor of the F1 rows: the bare call, queue.call_next on the window's worker thread; "
              f"each window then reads a day of {WAITING // 1000}k tickets from its event feed: "
              f"{3 * WAITING // 1000}k events)")
        for kind in kinds:
            # a fresh day for each window: the counter's calls and the day's events of one window
            # do not carry over into the next one
            url = f"sqlite:///{tmp / f'{kind}.sqlite3'}"
            base = ["--db", url, "--config", str(hall), "--station", str(station)]
            old = {k: os.environ.get(k) for k in env}
            os.environ.update(env)
            try:
                said = io.StringIO()  # the set-up's own lines, shown only if it fails
                with contextlib.redirect_stdout(said):
                    if mpp_main([*base, "db", "upgrade"]) != 0:
                        raise RuntimeError(f"db upgrade failed: {said.getvalue().strip()}")
                    for user, name, role, pin in (("kepala", "Kepala", "admin", "246810"),
                                                  ("budi", "Budi", "officer", "123456"),
                                                  ("sri", "Sri", "supervisor", "567890")):
                        if mpp_main([*base, "user", "add", user, "--name", name, "--role", role,
                                     "--pin", pin]) != 0:
                            raise RuntimeError(f"user add {user} failed: {said.getvalue().strip()}")
                _preload(url)
            finally:
                for k, v in old.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
            r = _run_window(kind, base, env, url)
            if "error" in r:
                print(f"  ({kind} window: {r['error']})")
            if kind == "counter" and r.get("f1_stages") is not None:
                _report_f1(report, r)
            if r.get("rss_mb"):
                if "error" in r:
                    note = "largest seen; it never settled"
                else:
                    note = (f"peak {r['peak_mb']:.0f} MB; {r.get('rss_before_day_mb', 0):.0f} MB before the day, "
                            f"feed caught up {r.get('catch_up_s', 0):.1f} s after the writes ended")
                report(f"{kind} window: resident memory after a day of {WAITING // 1000}k tickets",
                       r["rss_mb"], "MB", f"target <= 150 MB ({note})")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "child":  # noqa: PLR2004
        sys.exit(_child(sys.argv[2], sys.argv[3:]))
    from bench.__main__ import Report

    run(Report())
