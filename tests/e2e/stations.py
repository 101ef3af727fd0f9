"""Real station processes under remote control, for the end-to-end tests.

``Hall`` prepares a database with the ``mpp`` command (schema, officers) and starts ``mpp kiosk``,
``mpp display`` and ``mpp counter`` as separate processes started by ``tests.support.launch``; each
``Station`` sends JSON commands on the process's stdin and reads the replies on its stdout
(tests.support.automation). Every wait polls against a deadline; ``Hall.stop()`` kills whatever is
still running.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]


class StationError(AssertionError):
    """A station refused a command, did not answer in time, or died."""


def mpp_command() -> list[str]:
    """``mpp`` as the console script runs it, with the automation driver injected."""
    return [sys.executable, "-m", "tests.support.launch"]


class Station:
    """One running ``mpp`` window process with the automation channel."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.argv = argv
        self.stderr_path = log_dir / f"{name}.stderr.txt"
        self._stderr = open(self.stderr_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr, text=True, bufsize=1)
        self._ids = itertools.count(1)
        self._replies: dict[Any, dict] = {}
        self._cond = threading.Condition()
        self.other_output: list[str] = []
        self._reader = threading.Thread(target=self._read, name=f"e2e-{name}", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                self.other_output.append(line.rstrip("\n"))
                continue
            if not isinstance(msg, dict) or "ok" not in msg:
                self.other_output.append(line.rstrip("\n"))
                continue
            with self._cond:
                self._replies[msg.get("id")] = msg
                self._cond.notify_all()

    # ------------------------------------------------------------------ commands
    def alive(self) -> bool:
        return self.proc.poll() is None

    def stderr_tail(self, n: int = 40) -> str:
        try:
            self._stderr.flush()
            return "\n".join(self.stderr_path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def _fail(self, text: str) -> StationError:
        rc = self.proc.poll()
        where = "running" if rc is None else f"exited with {rc}"
        return StationError(f"{self.name} ({where}): {text}\n--- stderr of {self.name}:\n{self.stderr_tail()}")

    def request(self, cmd: str, timeout: float = 60.0, **params) -> dict:
        """Send one command; the whole reply ({"ok": ..., "result"/"error": ...})."""
        ident = next(self._ids)
        line = json.dumps({"id": ident, "cmd": cmd, **params}) + "\n"
        try:
            self.proc.stdin.write(line)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as e:
            raise self._fail(f"cannot send {cmd}: {e}") from None
        deadline = time.monotonic() + timeout
        with self._cond:
            while ident not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or not self.alive():
                    break
                self._cond.wait(min(left, 0.2))
            reply = self._replies.pop(ident, None)
        if reply is None:
            raise self._fail(f"no answer to {cmd} {params or ''} within {timeout:.0f} s")
        return reply

    def send(self, cmd: str, timeout: float = 60.0, **params) -> Any:
        """Send one command; its result, or StationError when the station refused it."""
        reply = self.request(cmd, timeout=timeout, **params)
        if not reply.get("ok"):
            raise self._fail(f"{cmd} {params or ''} refused: {reply.get('error')}")
        return reply.get("result")

    def state(self) -> dict:
        return self.send("state")

    def wait_state(self, predicate: Callable[[dict], bool], timeout: float, what: str,
                   interval: float = 0.05) -> dict:
        """Poll ``state`` until ``predicate(state)``; StationError with the last state otherwise."""
        deadline = time.monotonic() + timeout
        st = self.state()
        while not predicate(st):
            if time.monotonic() >= deadline:
                raise self._fail(f"waited {timeout:.0f} s for {what}; last state: {st}")
            time.sleep(interval)
            st = self.state()
        return st

    # ------------------------------------------------------------------ ending
    def quit(self, timeout: float = 20.0) -> int:
        """``quit``, then wait for the process; its exit status."""
        if self.alive():
            self.send("quit")
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise self._fail(f"did not exit within {timeout:.0f} s after quit") from None
        return self.proc.returncode

    def kill(self) -> None:
        if self.alive():
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=3)
            except (subprocess.TimeoutExpired, OSError):
                self.proc.kill()
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except (OSError, ValueError):
                pass
        self._stderr.close()


class Hall:
    """The database and the stations of one test: ``mpp(...)`` runs a headless command,
    ``start_*`` open the windows. Use as a context manager: every process is killed on exit."""

    def __init__(self, db_url: str, tmp: Path):
        self.db_url = db_url
        self.tmp = tmp
        self.announce_log = tmp / "announce.jsonl"
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("MPP_STATION", "MPP_CONFIG", "MPP_DB_URL", "MPP_ANNOUNCE_LOG", "DISPLAY")}
        if os.environ.get("QT_QPA_PLATFORM") == "xcb" and os.environ.get("DISPLAY"):
            self.env["DISPLAY"] = os.environ["DISPLAY"]  # under Xvfb
        else:
            self.env["QT_QPA_PLATFORM"] = "offscreen"
        self.env.update({
            "MPP_ALWAYS_OPEN": "1",
            "MPP_ANNOUNCE_LOG": str(self.announce_log),
            "MPP_DATA_DIR": str(tmp / "data"),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        })
        self.base = [*mpp_command(), "--db", db_url]
        self.stations: list[Station] = []

    def __enter__(self) -> "Hall":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def mpp(self, *argv: str, json_out: bool = False) -> Any:
        """A headless ``mpp`` command, run in this process with the stations' environment (the
        stations are the separate processes; this spares an interpreter start per command)."""
        from mpp.cli import main

        args = ["--db", self.db_url, *argv] + (["--json"] if json_out else [])
        saved = dict(os.environ)
        out, err = io.StringIO(), io.StringIO()
        try:
            os.environ.clear()
            os.environ.update(self.env)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    rc = main(args)
                except SystemExit as e:
                    rc = e.code
        finally:
            os.environ.clear()
            os.environ.update(saved)
        if rc != 0:
            raise AssertionError(f"mpp {' '.join(argv)} failed ({rc}): {err.getvalue().strip()}")
        return json.loads(out.getvalue()) if json_out else out.getvalue()

    def _start(self, name: str, *argv: str) -> Station:
        st = Station(name, [*self.base, *argv], self.env, self.tmp)
        self.stations.append(st)
        return st

    def start_kiosk(self) -> Station:
        return self._start("kiosk", "kiosk", "--windowed")

    def start_display(self) -> Station:
        return self._start("display", "display", "--windowed", "--no-voice")

    def start_counter(self, counter: str, user: str, pin: str) -> Station:
        return self._start(f"counter-{counter}", "counter", "--windowed", "--counter", counter,
                           "--user", user, "--pin", pin)

    def stop(self) -> None:
        for st in self.stations:
            st.kill()

    def announcements(self) -> list[dict]:
        if not self.announce_log.exists():
            return []
        return [json.loads(line) for line in self.announce_log.read_text(encoding="utf-8").splitlines()
                if line.strip()]


def poll(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Call ``predicate`` until it returns something true; AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        got = predicate()
        if got:
            return got
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(interval)
