"""The hall web server (`mpp serve` in its own process, on loopback): ticket page latency, commit ->
SSE delivery, and memory with 1,000 live ticket pages open (httpx for pages, bare sockets for the 1,000)."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.halls import bench_hall, to_toml

ROOT = Path(__file__).resolve().parent.parent
N_CLIENTS = 1000

HALL = to_toml(bench_hall())  # the hall is spelled out once, in tests/support/halls.py
CLIENT_PROCS = 2


def _pct(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * len(s) + 0.5)) - 1))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_ms(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 8192) if hard != resource.RLIM_INFINITY else 8192
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


async def _first_frame(lines) -> dict:
    async for line in lines:
        if line.startswith("data: "):
            return json.loads(line[6:])
    raise RuntimeError("stream ended")


async def _bench(report, base: str, queue, pid: int, kind: str, full: bool) -> None:
    import httpx

    # ---- pages: p95 of GET /t/<token> with 200 tickets waiting
    tickets = [queue.issue("ktp" if i % 2 else "kk") for i in range(200)]
    await asyncio.sleep(0.5)  # the server's reader picks up the batch
    async with httpx.AsyncClient(base_url=base, timeout=10) as c:
        for t in tickets[:20]:  # warm up
            await c.get(f"/t/{t.ticket.token}")
        lat = []
        for i in range(400):
            t = tickets[(i * 7) % len(tickets)]
            t0 = time.perf_counter()
            r = await c.get(f"/t/{t.ticket.token}")
            lat.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.status_code
        report(f"web {kind}: ticket page GET p50 (200 waiting)", _pct(lat, 0.5), "ms")
        report(f"web {kind}: ticket page GET p95 (200 waiting)", _pct(lat, 0.95), "ms", "<= 30 ms")
        size = len((await c.get(f"/t/{tickets[0].ticket.token}")).content)
        size += len((await c.get("/static/style.css")).content) + len((await c.get("/static/ticket.js")).content)
        report(f"web {kind}: ticket page weight (HTML + CSS + JS)", size / 1000, "kB", "<= 50 kB")

    for code in ("1", "2", "3", "4", "9"):
        queue.open_counter(code)

    async def delivery_run(n: int, label: str) -> None:
        delays = []
        async with httpx.AsyncClient(base_url=base, timeout=30) as c:
            for _ in range(n):
                it = await asyncio.to_thread(queue.issue, "air")
                await asyncio.sleep(0.3)
                async with c.stream("GET", f"/t/{it.ticket.token}/events") as r:
                    lines = r.aiter_lines()
                    first = await _first_frame(lines)
                    assert first["state"] == "waiting", first
                    t0 = time.perf_counter()
                    await asyncio.to_thread(queue.call_next, "9")
                    while True:
                        v = await _first_frame(lines)
                        if v["state"] == "called":
                            delays.append((time.perf_counter() - t0) * 1000)
                            break
                await asyncio.to_thread(queue.finish, "9")
        report(f"web {kind}: commit -> SSE frame p50 ({label})", _pct(delays, 0.5), "ms")
        report(f"web {kind}: commit -> SSE frame p95 ({label})", _pct(delays, 0.95), "ms", "<= 500 ms")

    await delivery_run(40, "1 page open")
    if not full:
        return

    # ---- 1,000 live pages, followed by CLIENT_PROCS client processes (one Python process parsing
    # 1,000 streams would measure the client, not the server)
    import multiprocessing as mp

    rss0 = _rss_mb(pid)
    many = [queue.issue("kk") for _ in range(N_CLIENTS)]
    await asyncio.sleep(0.5)
    ctx = mp.get_context("spawn")
    armed = ctx.Event()
    ready_q, out_q = ctx.Queue(), ctx.Queue()
    tokens = [t.ticket.token for t in many]
    share = [tokens[i::CLIENT_PROCS] for i in range(CLIENT_PROCS)]
    procs = [ctx.Process(target=_client_proc, args=(base, part, armed, ready_q, out_q), daemon=True) for part in share]
    t_open = time.perf_counter()
    for p in procs:
        p.start()
    try:
        for _ in procs:
            await asyncio.to_thread(ready_q.get, True, 300)
        report(f"web {kind}: open {N_CLIENTS} SSE pages (wall)", time.perf_counter() - t_open, "s")
        await asyncio.sleep(1.0)
        rss1 = _rss_mb(pid)
        report(f"web {kind}: server RSS with {N_CLIENTS} SSE pages open", rss1, "MB")
        report(f"web {kind}: server RSS per open page", (rss1 - rss0) * 1024 / N_CLIENTS, "kB")
        await delivery_run(20, f"{N_CLIENTS} other pages open")
        idle0 = _cpu_ms(pid)
        await asyncio.sleep(2.0)
        idle_rate = (_cpu_ms(pid) - idle0) / 2.0  # the reader's polling, per second
        report(f"web {kind}: server CPU while idle with {N_CLIENTS} pages open", idle_rate / 10, "%")
        armed.set()
        cpu0 = _cpu_ms(pid)
        t0 = time.perf_counter()
        await asyncio.to_thread(queue.call_next, "2")  # everyone waiting for 'kk' moves up one place
        fan: list[float] = []
        for _ in procs:
            fan.extend((v - t0) * 1000 for v in await asyncio.to_thread(out_q.get, True, 120))
        spent = _cpu_ms(pid) - cpu0 - idle_rate * (time.perf_counter() - t0)
        report(f"web {kind}: server CPU to push one change to {N_CLIENTS} pages", spent, "ms")
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
    report(f"web {kind}: commit -> first of {N_CLIENTS} pages updated", min(fan) if fan else float("nan"), "ms")
    report(f"web {kind}: commit -> all {N_CLIENTS} pages updated p50", _pct(fan, 0.5), "ms")
    report(f"web {kind}: commit -> all {N_CLIENTS} pages updated p95", _pct(fan, 0.95), "ms", "<= 500 ms")
    report(f"web {kind}: pages updated of {N_CLIENTS}", len(fan), "")


async def _open_stream(host: str, port: int, path: str):
    """A bare HTTP/1.1 GET of an SSE stream on a socket: (reader, writer) after the headers. The
    1,000-page clients use this instead of httpx so that what is measured is the server, not a
    client library parsing 1,000 streams on the same two cores."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
    if b"transfer-encoding: chunked" not in head.lower():
        raise RuntimeError("expected a chunked stream")
    return reader, writer


async def _frames(reader):
    """The JSON of each ``data:`` frame of a chunked SSE body."""
    buf = b""
    while True:
        size = int((await reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16)
        if size == 0:
            return
        buf += (await reader.readexactly(size + 2))[:-2]
        while b"\n\n" in buf:
            frame, buf = buf.split(b"\n\n", 1)
            for line in frame.split(b"\n"):
                if line.startswith(b"data: "):
                    yield json.loads(line[6:])


def _client_proc(base: str, tokens: list[str], armed, ready_q, out_q) -> None:
    """Follow ``tokens``' streams; after ``armed``, report when each page saw 'ahead' change."""
    from urllib.parse import urlsplit

    _raise_fd_limit()
    u = urlsplit(base)
    host, port = u.hostname or "127.0.0.1", u.port or 80

    async def main():
        got: list[float] = []
        ready = 0
        all_ready = asyncio.Event()
        all_got = asyncio.Event()

        async def follow(token):
            nonlocal ready
            reader, writer = await _open_stream(host, port, f"/t/{token}/events")
            try:
                frames = _frames(reader)
                first = await anext(frames)
                ready += 1
                if ready == len(tokens):
                    all_ready.set()
                async for v in frames:
                    if armed.is_set() and v.get("ahead") != first.get("ahead"):
                        got.append(time.perf_counter())
                        if len(got) == len(tokens):
                            all_got.set()
                        # stay open until every page has its frame: a phone does not hang up
                        # because its page changed, and 1,000 hang-ups would be measured too
                        await all_got.wait()
                        return
            finally:
                writer.close()

        tasks = [asyncio.create_task(follow(t)) for t in tokens]
        await asyncio.wait_for(all_ready.wait(), 300)
        ready_q.put(len(tokens))
        try:
            await asyncio.wait_for(all_got.wait(), 120)
        except TimeoutError:
            pass
        out_q.put(got)
        all_got.set()
        done, pending = await asyncio.wait(tasks, timeout=30)
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    asyncio.run(main())


def run(report, pg_url: str | None = None) -> None:
    from bench.core_bench import _fresh_db

    _raise_fd_limit()
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = _fresh_db("sqlite", None, Path(tmp))
        _serve_and_bench(report, url, Path(tmp), "sqlite", full=True)
        if pg_url:
            url, drop = _fresh_db("pg", pg_url, Path(tmp))
            try:
                _serve_and_bench(report, url, Path(tmp), "pg", full=True)
            finally:
                drop()


def _serve_and_bench(report, url: str, tmp: Path, kind: str, full: bool) -> None:
    import httpx

    from antrian.config import load_hall
    from antrian.services.queue import QueueService
    from antrian.storage.db import SqlStore

    cfg = tmp / "hall.toml"
    cfg.write_text(HALL, encoding="utf-8")
    port = _free_port()
    env = dict(os.environ, MPP_DATA_DIR=str(tmp), MPP_ALWAYS_OPEN="1", PYTHONPATH=str(ROOT))
    # MPP_WEB_BENCH_PROFILE=/tmp/web.prof: run the server under cProfile (written when it stops)
    prof = os.environ.get("MPP_WEB_BENCH_PROFILE")
    profile = ["-m", "cProfile", "-o", f"{prof}.{kind}"] if prof else []
    proc = subprocess.Popen([sys.executable, *profile, "-m", "mpp.cli", "--db", url, "--config", str(cfg), "serve",
                             "--host", "127.0.0.1", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json().get("ok"):
                    break
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("mpp serve did not start: " + (proc.stderr.read(2000) or b"").decode())
        queue = QueueService(load_hall(cfg), SqlStore(url, pool_size=2))
        asyncio.run(_bench(report, f"http://127.0.0.1:{port}", queue, proc.pid, kind, full))
        queue.store.dispose()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    from bench.__main__ import Report

    run(Report())
