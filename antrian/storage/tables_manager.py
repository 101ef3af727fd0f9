"""Tables of the hall manager (issue 14): survey responses, the alert log and device heartbeats.
On the same ``metadata`` as antrian.storage.tables; created by migration 0003_manager."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, SmallInteger, String, Table, Text, text

from antrian.storage.tables import UTCDateTime, metadata

survey_responses = Table(
    "survey_responses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # one response per ticket: the unique ticket_id refuses a second one, even in a race
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, unique=True),
    Column("service_day", Date, nullable=False),
    Column("agency_code", String(40), nullable=False),
    Column("service_code", String(40), nullable=False),
    Column("counter_code", String(8)),
    Column("channel", String(12), nullable=False),  # "counter" | "web"
    Column("created_at", UTCDateTime, nullable=False),  # stamped by the database server
    *(Column(f"u{i}", SmallInteger, nullable=False) for i in range(1, 10)),
    # optional profile: bands and categories only, no personal data
    Column("age_band", String(8)),
    Column("sex", String(1)),
    Column("education", String(8)),
    Column("occupation", String(20)),
    Column("comment", Text),
    sqlite_autoincrement=True,
)
Index("ix_survey_day", survey_responses.c.service_day, survey_responses.c.agency_code,
      survey_responses.c.service_code)

alert_log = Table(
    "alert_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(120), nullable=False),  # e.g. "overdue:ktp", "paused:7", "silent:kiosk/kiosk-1"
    Column("kind", String(20), nullable=False),
    Column("severity", String(10), nullable=False),  # "warning" | "critical"
    Column("subject", String(80), nullable=False),
    Column("message", String(300), nullable=False),
    Column("raised_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("acknowledged_at", UTCDateTime),
    Column("acknowledged_by", String(40)),
    Column("resolved_at", UTCDateTime),
    sqlite_autoincrement=True,
)
# at most one unresolved alert per key
Index("ux_alert_open", alert_log.c.key, unique=True,
      sqlite_where=alert_log.c.resolved_at.is_(None), postgresql_where=alert_log.c.resolved_at.is_(None))
Index("ix_alert_raised", alert_log.c.raised_at)

heartbeats = Table(
    "heartbeats",
    metadata,
    Column("kind", String(12), primary_key=True),  # kiosk | counter | display | survey | web | monitor
    Column("name", String(60), primary_key=True),  # station name, e.g. the counter code
    Column("version", String(40), nullable=False, server_default=text("''")),
    Column("last_event_id", BigInteger().with_variant(Integer, "sqlite")),
    Column("printer_state", String(20)),  # ok | paper_near_end | paper_out | offline | error
    Column("detail", String(200)),
    Column("written_at", UTCDateTime, nullable=False),  # stamped by the database server
)
