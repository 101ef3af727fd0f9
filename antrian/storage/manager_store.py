"""SQL adapter of the hall manager's ports (survey, device health, alert log) over the tables in
antrian.storage.tables_manager, sharing the queue store's engines and transactions (SQLite writes
in BEGIN IMMEDIATE; reads never block writers). Times written here are the database's own."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterator

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.exc import IntegrityError

from antrian.domain.survey import AlreadyAnswered, Profile
from antrian.services.alerts import Alert, LoggedAlert
from antrian.services.health import Heartbeat
from antrian.services.survey import SurveyResponse, SurveyTicket
from antrian.storage import tables as T
from antrian.storage import tables_manager as M


if TYPE_CHECKING:
    from antrian.services.health import HeartbeatWriter
    from antrian.storage.db import SqlStore

ANSWER_COLUMNS = tuple(f"u{i}" for i in range(1, 10))


@contextmanager
def read_connection(store: SqlStore) -> Iterator[Connection]:
    """An SQLAlchemy connection inside one of ``store``'s read transactions (a SqlStore)."""
    with store.read() as tx:
        yield tx.conn


@contextmanager
def write_connection(store: SqlStore) -> Iterator[Connection]:
    with store.transaction() as tx:
        yield tx.conn


def db_now_expr(dialect: str) -> ColumnElement[Any]:
    """The database server's current time as naive UTC (what UTCDateTime stores)."""
    if dialect == "postgresql":
        return func.timezone("UTC", func.statement_timestamp())
    return func.strftime("%Y-%m-%d %H:%M:%f", "now")


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _stamp(value: Any) -> datetime:
    """A NOT NULL timestamp column, aware UTC."""
    out = _aware(value)
    assert out is not None
    return out


class ManagerTx:
    """Implements SurveyTx, HealthTx and AlertTx on one connection."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.dialect = conn.dialect.name
        self._now = db_now_expr(self.dialect)

    def db_now(self) -> datetime:
        return _stamp(self.conn.execute(select(self._now)).scalar_one())

    # ------------------------------------------------------------------ survey
    def _survey_ticket(self, where: ColumnElement[bool]) -> SurveyTicket | None:
        c = T.tickets.c
        row = self.conn.execute(
            select(c.id, c.service_day, c.agency_code, c.service_code, c.counter_code, c.status, c.number)
            .where(where).order_by(c.id.desc()).limit(1)
        ).first()
        return SurveyTicket(*row) if row else None

    def survey_ticket(self, ticket_id: int) -> SurveyTicket | None:
        return self._survey_ticket(T.tickets.c.id == ticket_id)

    def survey_ticket_by_token(self, token: str) -> SurveyTicket | None:
        # a transferred ticket keeps its token: the last ticket of the chain is the one served
        return self._survey_ticket(T.tickets.c.token == token)

    def has_response(self, ticket_id: int) -> bool:
        s = M.survey_responses.c
        return self.conn.execute(select(s.id).where(s.ticket_id == ticket_id)).first() is not None

    def add_response(self, r: SurveyResponse) -> int:
        values = dict(
            ticket_id=r.ticket_id, service_day=r.service_day, agency_code=r.agency_code,
            service_code=r.service_code, counter_code=r.counter_code, channel=r.channel, created_at=self._now,
            age_band=r.profile.age_band, sex=r.profile.sex, education=r.profile.education,
            occupation=r.profile.occupation, comment=r.comment,
            **dict(zip(ANSWER_COLUMNS, r.answers)),
        )
        try:
            with self.conn.begin_nested():
                return int(self.conn.execute(
                    insert(M.survey_responses).values(**values).returning(M.survey_responses.c.id)
                ).scalar_one())
        except IntegrityError:
            raise AlreadyAnswered(f"ticket {r.ticket_id} has already answered the survey",
                                  ticket_id=r.ticket_id) from None

    def responses(self, start: date, end: date, agency: str | None = None,
                  service: str | None = None) -> list[SurveyResponse]:
        s = M.survey_responses.c
        q = select(M.survey_responses).where(s.service_day >= start, s.service_day <= end)
        if agency:
            q = q.where(s.agency_code == agency)
        if service:
            q = q.where(s.service_code == service)
        out = []
        for row in self.conn.execute(q.order_by(s.id)):
            m = row._mapping
            out.append(SurveyResponse(
                id=m["id"], ticket_id=m["ticket_id"], service_day=m["service_day"], agency_code=m["agency_code"],
                service_code=m["service_code"], counter_code=m["counter_code"], channel=m["channel"],
                answers=tuple(int(m[c]) for c in ANSWER_COLUMNS),
                profile=Profile(m["age_band"], m["sex"], m["education"], m["occupation"]),
                comment=m["comment"], created_at=_aware(m["created_at"]),
            ))
        return out

    # ------------------------------------------------------------------ heartbeats
    def write_heartbeat(self, hb: Heartbeat) -> None:
        h = M.heartbeats.c
        values = dict(version=hb.version or "", last_event_id=hb.last_event_id, printer_state=hb.printer_state,
                      detail=hb.detail, written_at=self._now)
        self.conn.execute(
            self._ins()(M.heartbeats).values(kind=hb.kind, name=hb.name, **values)
            .on_conflict_do_update(index_elements=[h.kind, h.name], set_=values)
        )

    def heartbeats(self) -> list[Heartbeat]:
        h = M.heartbeats.c
        return [
            Heartbeat(r.kind, r.name, r.version, r.last_event_id, r.printer_state, r.detail, _aware(r.written_at))
            for r in self.conn.execute(select(M.heartbeats).order_by(h.kind, h.name))
        ]

    # ------------------------------------------------------------------ alerts
    @staticmethod
    def _logged(row: Row[Any]) -> LoggedAlert:
        m = row._mapping
        return LoggedAlert(
            id=m["id"], key=m["key"], kind=m["kind"], severity=m["severity"], subject=m["subject"],
            message=m["message"], raised_at=_stamp(m["raised_at"]), last_seen_at=_stamp(m["last_seen_at"]),
            acknowledged_at=_aware(m["acknowledged_at"]), acknowledged_by=m["acknowledged_by"],
            resolved_at=_aware(m["resolved_at"]),
        )

    def open_alerts(self) -> list[LoggedAlert]:
        a = M.alert_log.c
        return [self._logged(r) for r in self.conn.execute(
            select(M.alert_log).where(a.resolved_at.is_(None)).order_by(a.id))]

    def _ins(self) -> Callable[..., Any]:
        """The dialect's INSERT (with ON CONFLICT)."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert

    def raise_alert(self, alert: Alert) -> None:
        # two monitors raising the same alert at once: the second insert does nothing
        a = M.alert_log.c
        self.conn.execute(self._ins()(M.alert_log).values(
            key=alert.key, kind=alert.kind, severity=alert.severity, subject=alert.subject[:80],
            message=alert.message[:300], raised_at=self._now, last_seen_at=self._now,
        ).on_conflict_do_nothing(index_elements=[a.key], index_where=a.resolved_at.is_(None)))

    def touch_alert(self, key: str, alert: Alert) -> None:
        a = M.alert_log.c
        self.conn.execute(update(M.alert_log).where(a.key == key, a.resolved_at.is_(None)).values(
            severity=alert.severity, message=alert.message[:300], last_seen_at=self._now))

    def resolve_alert(self, key: str) -> None:
        a = M.alert_log.c
        self.conn.execute(update(M.alert_log).where(a.key == key, a.resolved_at.is_(None))
                          .values(resolved_at=self._now))

    def acknowledge_alert(self, key: str, user: str) -> bool:
        a = M.alert_log.c
        return bool(self.conn.execute(
            update(M.alert_log).where(a.key == key, a.resolved_at.is_(None), a.acknowledged_at.is_(None))
            .values(acknowledged_at=self._now, acknowledged_by=user[:40])
        ).rowcount == 1)

    def alert_log(self, limit: int = 200) -> list[LoggedAlert]:
        a = M.alert_log.c
        return [self._logged(r) for r in self.conn.execute(
            select(M.alert_log).order_by(a.id.desc()).limit(limit))]


class ManagerStore:
    """SurveyStore, HealthStore and AlertStore over a SqlStore's transactions."""

    def __init__(self, sql_store: SqlStore):
        self.sql = sql_store

    @contextmanager
    def transaction(self) -> Iterator[ManagerTx]:
        with write_connection(self.sql) as conn:
            yield ManagerTx(conn)

    @contextmanager
    def read(self) -> Iterator[ManagerTx]:
        with read_connection(self.sql) as conn:
            yield ManagerTx(conn)


def make_heartbeat_writer(sql_store: SqlStore, kind: str, name: str,
                          last_event_id: Callable[[], int | None] | None = None,
                          printer_state: Callable[[], str | None] | None = None) -> HeartbeatWriter:
    """What a station window needs for its heartbeat: ``w = make_heartbeat_writer(queue.store,
    "counter", "7", last_event_id=lambda: feed.after_id)``, then ``runner.submit(w.beat)`` from a
    QTimer every ``antrian.services.health.BEAT_SECONDS``. ``beat()`` never raises."""
    from antrian.services.health import HealthService, HeartbeatWriter, package_version

    return HeartbeatWriter(HealthService(ManagerStore(sql_store)), kind, name, package_version(),
                           last_event_id=last_event_id, printer_state=printer_state)
