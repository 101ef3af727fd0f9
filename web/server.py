"""Composition of the web server for `mpp serve` and the demo: the store, the live hub, the
notification service and worker, the app, and uvicorn."""

from __future__ import annotations

import logging
import socket
from logging.handlers import RotatingFileHandler

from antrian.config import HallFile, NotifyCfg, WebCfg, load_hall_file
from antrian.services.notify import NotificationService, Notifier
from antrian.storage.web_store import WebStore
from web.app import WebDeps, create_app
from web.live import LiveHub

log = logging.getLogger(__name__)


def hall_settings(ctx) -> tuple[WebCfg, NotifyCfg]:
    """[web] and [notify] of the hall file (defaults when absent)."""
    try:
        f: HallFile = load_hall_file(ctx.config_path)
        return f.web, f.notify
    except Exception:  # the hall already loaded once; a hall object built in code has no file
        return WebCfg(), NotifyCfg()


def lan_address() -> str:
    """This PC's address on the local network (no packet is sent), else 127.0.0.1."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
    except OSError:
        return "127.0.0.1"


def public_base(ctx, web: WebCfg, host: str, port: int) -> str:
    """Where phones reach this server: [hall] public_url, else [web] address, else this PC."""
    if ctx.hall.public_url:
        return ctx.hall.public_url
    address = web.address or (host if host not in ("0.0.0.0", "::", "") else lan_address())
    return f"http://{address}:{port}"


def free_port(host: str, preferred: int) -> int:
    """``preferred`` when nothing listens there, else a free port the system picks."""
    for port in (preferred, 0):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((host, port))
                return s.getsockname()[1]
        except OSError:
            continue
    return preferred


def demo_address(ctx) -> tuple[str, int]:
    """(public URL, port) for the demo's web server: the [web] port when free, this PC's LAN address."""
    web, _ = hall_settings(ctx)
    port = free_port(web.host, web.port)
    return public_base(ctx, web, web.host, port), port


def build_deps(ctx, notify: NotifyCfg | None = None, notifier: Notifier | None = None,
               public_url: str = "", poll_seconds: float = 0.1) -> WebDeps:
    """poll_seconds: how often the reader looks for new events when nothing wakes it (SQLite;
    PostgreSQL's NOTIFY wakes it at once). One indexed query; 0.1 s keeps commit -> phone short."""
    from web.notifiers import build_notifier
    from web.worker import NotifyWorker

    notify = notify or NotifyCfg()
    queue = ctx.queue
    store = WebStore(queue.store)
    notifications = NotificationService(
        store, notifier if notifier is not None else build_notifier(notify), ctx.hall.short_name,
        ahead=notify.ahead, clock=queue.clock, max_attempts=notify.max_attempts, retry_seconds=notify.retry_seconds,
    )
    hub = LiveHub(queue, store, notifications, poll_seconds=poll_seconds)
    worker = NotifyWorker(notifications)
    on_start, on_stop = [worker.start], [worker.stop]
    booking = getattr(ctx, "booking", None)  # with the hall's [booking] policy (antrian.bootstrap)
    if booking is not None:
        from web.worker import BookingReleaser

        releaser = BookingReleaser(booking)
        on_start.append(releaser.start)
        on_stop.append(releaser.stop)
    return WebDeps(queue=queue, store=store, hub=hub, notifications=notifications, public_url=public_url,
                   booking=booking, on_start=tuple(on_start), on_stop=tuple(on_stop))


def log_to_file() -> str:
    from antrian import paths

    path = paths.data_dir() / "web.log"
    h = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    h.setLevel(logging.INFO)
    root = logging.getLogger()
    for other in root.handlers:  # the console keeps to warnings
        if other.level == logging.NOTSET:
            other.setLevel(logging.WARNING)
    root.addHandler(h)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # it would log gateway URLs
    return str(path)


def start_web_heartbeat(store, name: str, interval_s: float | None = None, writer=None):
    """The web server's heartbeat (kind "web"): a daemon thread writes one every
    ``antrian.services.health.BEAT_SECONDS`` (never on the event loop; a failed write is logged
    by HeartbeatWriter.beat and never raises). Returns the threading.Event that stops it."""
    import threading

    from antrian.services.health import BEAT_SECONDS
    from antrian.storage.manager_store import make_heartbeat_writer

    writer = writer or make_heartbeat_writer(store, "web", name[:60])
    stop = threading.Event()
    interval = BEAT_SECONDS if interval_s is None else interval_s

    def loop() -> None:
        while not stop.is_set():
            writer.beat()
            stop.wait(interval)

    threading.Thread(target=loop, name="mpp-web-heartbeat", daemon=True).start()
    return stop


def serve(ctx, host: str | None = None, port: int | None = None, announce=print) -> int:
    import uvicorn

    from antrian.storage.db import upgrade

    web, notify = hall_settings(ctx)
    host = host or web.host
    port = port or web.port
    from antrian.domain.errors import StoreUnavailable

    try:
        if ctx.queue.store.dialect == "sqlite":
            upgrade(ctx.db_url)
        else:
            ctx.queue.store.ensure_schema()
    except StoreUnavailable as e:  # start anyway: pages say "sedang offline" until it answers
        announce(f"warning: {e}; the pages say 'sedang offline' until the database answers")
    base = public_base(ctx, web, host, port)
    logfile = log_to_file()
    deps = build_deps(ctx, notify, public_url=base)
    app = create_app(deps)
    announce(f"Web server: {base}  (ticket pages {base}/t/<token>, hall board {base}/papan, "
             f"API docs {base}/api/v1/docs); log: {logfile}")
    config = uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning",
                            timeout_graceful_shutdown=3, server_header=False, proxy_headers=False)
    heartbeat = start_web_heartbeat(ctx.queue.store, f"web@{socket.gethostname()}:{port}")
    try:
        uvicorn.Server(config).run()
    finally:
        heartbeat.set()
    return 0
