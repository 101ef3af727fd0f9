"""Device health: every station writes a heartbeat (kind, name, version, last event seen,
printer state) every few seconds; the monitor shows each device green / amber / red by the age
of its last heartbeat, measured on the database's clock (never a station's own).

``HeartbeatWriter.beat()`` is the tiny call a window makes from a timer (on its background
runner: it does a database write)."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Iterable, Protocol

from antrian.domain.model import CounterStatus

if TYPE_CHECKING:
    from antrian.services.queue import CounterView

log = logging.getLogger(__name__)

KINDS = ("kiosk", "counter", "display", "survey", "web", "monitor")
PRINTER_STATES = ("ok", "paper_near_end", "paper_out", "offline", "error")
GREEN, AMBER, RED = "green", "amber", "red"
BEAT_SECONDS = 5
AMBER_AFTER_S = 15  # three beats missed
RED_AFTER_S = 60


@dataclass(frozen=True)
class Heartbeat:
    kind: str
    name: str
    version: str = ""
    last_event_id: int | None = None
    printer_state: str | None = None
    detail: str | None = None
    written_at: datetime | None = None  # set by the database


@dataclass(frozen=True)
class DeviceStatus:
    heartbeat: Heartbeat
    age_s: float
    colour: str  # green | amber | red

    @property
    def kind(self) -> str:
        return self.heartbeat.kind

    @property
    def name(self) -> str:
        return self.heartbeat.name


class HealthTx(Protocol):
    def write_heartbeat(self, hb: Heartbeat) -> None:
        """Upsert by (kind, name); written_at is the database server's time."""
        ...
    def heartbeats(self) -> list[Heartbeat]: ...
    def db_now(self) -> datetime: ...


class HealthStore(Protocol):
    def transaction(self) -> AbstractContextManager[HealthTx]: ...
    def read(self) -> AbstractContextManager[HealthTx]: ...


def colour_for(age_s: float, amber_after: float = AMBER_AFTER_S, red_after: float = RED_AFTER_S) -> str:
    if age_s <= amber_after:
        return GREEN
    if age_s <= red_after:
        return AMBER
    return RED


def check_heartbeat(hb: Heartbeat) -> Heartbeat:
    if hb.kind not in KINDS:
        raise ValueError(f"heartbeat kind '{hb.kind}' is not one of {', '.join(KINDS)}")
    if hb.printer_state is not None and hb.printer_state not in PRINTER_STATES:
        raise ValueError(f"printer state '{hb.printer_state}' is not one of {', '.join(PRINTER_STATES)}")
    if not hb.name or len(hb.name) > 60:
        raise ValueError("heartbeat name must be 1-60 characters")
    return hb


class HealthService:
    def __init__(self, store: HealthStore, amber_after: float = AMBER_AFTER_S, red_after: float = RED_AFTER_S):
        self.store = store
        self.amber_after = amber_after
        self.red_after = red_after

    def beat(self, hb: Heartbeat) -> None:
        check_heartbeat(hb)
        with self.store.transaction() as tx:
            tx.write_heartbeat(hb)

    def devices(self) -> list[DeviceStatus]:
        with self.store.read() as tx:
            now = tx.db_now()
            beats = tx.heartbeats()
        out = []
        for hb in beats:
            age = max(0.0, (now - hb.written_at).total_seconds()) if hb.written_at else float("inf")
            out.append(DeviceStatus(hb, age, colour_for(age, self.amber_after, self.red_after)))
        out.sort(key=lambda d: (KINDS.index(d.kind) if d.kind in KINDS else 99, _natural(d.name)))
        return out


def _natural(name: str) -> tuple[int, int, str]:
    return (0, int(name), "") if name.isdigit() else (1, 0, name)


def package_version() -> str:
    try:
        from importlib.metadata import version

        return version("antrian-mpp")
    except Exception:  # running from a source tree without metadata
        return ""


class HeartbeatWriter:
    """What a station window calls from a timer: ``writer.beat()``. Never raises (a database away
    is the feed's business to report); ``last_event_id`` and ``printer_state`` are read from the
    callables given, so the window need not push them."""

    def __init__(self, service: HealthService, kind: str, name: str, version: str = "",
                 last_event_id: Callable[[], int | None] | None = None,
                 printer_state: Callable[[], str | None] | None = None):
        self.service = service
        self.kind, self.name, self.version = kind, str(name), version
        self._last_event_id = last_event_id or (lambda: None)
        self._printer_state = printer_state or (lambda: None)
        check_heartbeat(Heartbeat(kind, self.name))

    def beat(self, detail: str | None = None) -> bool:
        try:
            self.service.beat(Heartbeat(self.kind, self.name, self.version, self._last_event_id(),
                                        self._printer_state(), detail))
            return True
        except Exception as exc:  # noqa: BLE001 - a heartbeat must never take a window down
            log.warning("heartbeat %s/%s not written: %s", self.kind, self.name, exc)
            return False


# ------------------------------------------------------------------ counters on the monitor

COUNTER_LABELS = {
    "serving": "Melayani", "called": "Memanggil", "open": "Buka", "paused": "Istirahat", "closed": "Tutup",
    "offline": "Offline",
}


def counter_presence(counters: Iterable[CounterView], devices: list[DeviceStatus]) -> dict[str, str]:
    """Per counter code, what the monitor should say: a counter that is not closed but whose
    window's heartbeat is red (or was never written while heartbeats are in use) is "offline",
    not "Melayani". ``counters``: QueueService.status().counters (CounterView)."""
    beats = {d.name: d for d in devices if d.kind == "counter"}
    in_use = bool(beats)
    out = {}
    for cv in counters:
        st = cv.state.status
        if st == CounterStatus.CLOSED:
            out[cv.code] = "closed"
            continue
        dev = beats.get(cv.code)
        if in_use and (dev is None or dev.colour == RED):
            out[cv.code] = "offline"
        elif st == CounterStatus.PAUSED:
            out[cv.code] = "paused"
        elif cv.ticket is not None:
            out[cv.code] = "serving" if cv.ticket.status.value == "serving" else "called"
        else:
            out[cv.code] = "open"
    return out


# ------------------------------------------------------------------ what the device view shows

KIND_LABELS = {"kiosk": "Kios", "counter": "Loket", "display": "Layar", "survey": "Survei", "web": "Web",
               "monitor": "Monitor"}
PRINTER_LABELS = {"ok": "Printer siap", "paper_near_end": "Kertas hampir habis", "paper_out": "Kertas habis",
                  "offline": "Printer tidak terhubung", "error": "Printer galat"}
COLOUR_LABELS = {GREEN: "Aktif", AMBER: "Terlambat", RED: "Mati"}


@dataclass(frozen=True)
class DeviceRow:
    kind: str
    name: str
    colour: str
    state: str  # Aktif / Terlambat / Mati
    age: str  # "5 dtk", "3 mnt"
    printer: str
    version: str


def age_text(seconds: float) -> str:
    if seconds == float("inf"):
        return "-"
    if seconds < 90:
        return f"{int(seconds)} dtk"
    if seconds < 5400:
        return f"{int(seconds // 60)} mnt"
    return f"{int(seconds // 3600)} jam"


def device_rows(devices: list[DeviceStatus]) -> list[DeviceRow]:
    return [DeviceRow(KIND_LABELS.get(d.kind, d.kind), d.name, d.colour, COLOUR_LABELS[d.colour], age_text(d.age_s),
                      PRINTER_LABELS.get(d.heartbeat.printer_state or "", ""), d.heartbeat.version)
            for d in devices]
