"""Shared set-up for the counter and monitor window tests: a SQLite hall with two officers and a
supervisor, a Runner, a fast EventFeed and the Indonesian translations installed."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from antrian.domain.errors import StoreUnavailable


@dataclass
class Env:
    hall: object
    clock: object
    url: str
    store: object
    queue: object
    users: object
    runner: object
    feed: object
    translations: object

    def other_queue(self):
        """A second connection to the same database file (another PC in the hall)."""
        from antrian.services.queue import QueueService
        from antrian.storage.db import SqlStore

        store = SqlStore(self.url)
        self._others.append(store)
        return QueueService(self.hall, store, self.clock)

    def ticket(self, number: str):
        return self.queue.find_ticket(number)

    def events(self, *types):
        with self.store.read() as tx:
            got = tx.events_after(0, 10000)
        return [e for e in got if not types or e.type in types]


class BrokenStore:
    """A store whose database is gone: every transaction fails like a lost connection."""

    url = ""

    def describe(self) -> str:
        return "broken"

    @contextmanager
    def transaction(self):
        raise StoreUnavailable("cannot use the database: connection refused")
        yield  # pragma: no cover

    @contextmanager
    def read(self):
        raise StoreUnavailable("cannot use the database: connection refused")
        yield  # pragma: no cover


def make_env(qapp, hall, clock, tmp_path, feed: bool = True) -> Env:
    from antrian.services.queue import QueueService
    from antrian.services.users import UserService
    from antrian.storage.db import SqlStore, upgrade
    from qtshared.common import EventFeed, Runner, Translations

    url = f"sqlite:///{tmp_path / 'hall.sqlite3'}"
    upgrade(url)
    store = SqlStore(url)
    queue = QueueService(hall, store, clock)
    users = UserService(store, clock, tz=hall.tz)
    users.add("budi", "Budi Santoso", "officer", "1234")
    users.add("ani", "Ani Lestari", "officer", "4321")
    users.add("sri", "Sri Wahyuni", "supervisor", "567890")
    translations = Translations(qapp)
    translations.set_language("id")
    runner = Runner(max_workers=2, name="test-bg")
    ev = EventFeed(queue, poll_ms=40) if feed else None
    if ev is not None:
        ev.start()
    env = Env(hall, clock, url, store, queue, users, runner, ev, translations)
    env._others = []
    env.windows = []  # kept alive until the env is closed (a collected window deletes its widgets)
    return env


def close_env(env: Env) -> None:
    for w in env.windows:
        try:
            w.close()
        except RuntimeError:
            pass
    if env.feed is not None:
        env.feed.stop()
    env.runner.shutdown(wait=True)
    env.translations.set_language("en")
    for s in env._others:
        s.dispose()
    env.store.dispose()


def activate(qtbot, window) -> None:
    """Show the window and make it the active one (shortcuts need an active window)."""
    window.show()
    qtbot.waitExposed(window)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
