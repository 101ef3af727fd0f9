"""The fixed SQL texts of the queue's hot paths, shared by ``SqlTx`` (antrian.storage.sql_tx, over
a SQLAlchemy connection) and the DBAPI-only issue path of `mpp issue`
(antrian.storage.dbapi_store), which must not import SQLAlchemy. One text per statement: the two
paths write the same rows (tests/integration/test_issue_paths.py compares them).

No SQLAlchemy here: only ``Sql`` (antrian.storage.sql_raw) and plain strings."""

from __future__ import annotations

from antrian.storage.sql_raw import COUNTER_COLS, TICKET_COLS, Sql

_DAY_PIN = Sql("SELECT value FROM meta WHERE key = 'service_day'",
               pg="SELECT value FROM meta WHERE key = 'service_day' FOR SHARE")
# the same pin as a column of a transaction's first statement (RawQueueTx.rollover; SQLite: the
# day's value only, BEGIN IMMEDIATE holds every writer off already)
PIN_COLUMN = "(SELECT value FROM meta WHERE key = 'service_day' FOR SHARE)"
PIN_COLUMN_SQLITE = "(SELECT value FROM meta WHERE key = 'service_day')"
_BUMP = Sql("INSERT INTO daily_counts (day, key, value) VALUES (:day, :key, :by) "
            "ON CONFLICT (day, key) DO UPDATE SET value = daily_counts.value + excluded.value RETURNING value")
# an issue's quota count and number in one statement (rows in key order: "seq:" < "svc:"); RETURNING
# key, value (and the day's pin)
_SLOT_AND_NUMBER = ("INSERT INTO daily_counts (day, key, value) VALUES (:day, :k0, 1), (:day, :k1, 1) "
                    "ON CONFLICT (day, key) DO UPDATE SET value = daily_counts.value + excluded.value RETURNING key, value")
_SLOT_NUMBER = Sql(_SLOT_AND_NUMBER)
_SLOT_NUMBER_PINNED = Sql(_SLOT_AND_NUMBER + f", {PIN_COLUMN_SQLITE}", pg=_SLOT_AND_NUMBER + f", {PIN_COLUMN}")
_BUMP2 = Sql("INSERT INTO daily_counts (day, key, value) VALUES (:day, :key, :by), (:day, :key2, :by2) "
             "ON CONFLICT (day, key) DO UPDATE SET value = daily_counts.value + excluded.value")
# count changes that follow a ticket write: (key prefix, parameter of the delta, priority line only)
_WAITING = (("wait:", "d", False), ("waitp:", "d", True))
_DONE = (("done_n:", "one", False), ("done_s:", "secs", False))


def _counts_cte(counts: tuple[tuple[str, str, bool], ...]) -> str:
    """PostgreSQL: the count upserts of a ticket write in the same statement (a data-modifying
    CTE over the written row ``t``), in key order as _bump2 does it."""
    picks = " UNION ALL ".join(
        f"SELECT service_day, ('{prefix}' || service_code) COLLATE \"C\" AS k, CAST(:{param} AS bigint) FROM t"
        + (" WHERE prio = 1" if prio_only else "") for prefix, param, prio_only in counts)
    return (f", c AS (INSERT INTO daily_counts (day, key, value) {picks} ORDER BY k "
            "ON CONFLICT (day, key) DO UPDATE SET value = daily_counts.value + excluded.value)")


_ADD_TICKET_SQL = (
    "INSERT INTO tickets (service_day, prefix, seq, number, service_code, agency_code, priority, prio, status, "
    "issued_at, arrival_at, token, counter_code, officer, target_counter, recall_count, transferred_from) "
    "VALUES (:service_day, :prefix, :seq, :number, :service_code, :agency_code, :priority, :prio, :status, "
    ":issued_at, :arrival_at, :token, :counter_code, :officer, :target_counter, :recall_count, "
    ":transferred_from) RETURNING id")
_ADD_TICKET = Sql(_ADD_TICKET_SQL, pg=(
    f"WITH t AS ({_ADD_TICKET_SQL}, service_day, service_code, prio){_counts_cte(_WAITING)} SELECT id FROM t"))
_ENSURE_COUNTER = Sql("INSERT INTO counters (code) VALUES (:code) ON CONFLICT (code) DO NOTHING")

# -- reads of the hot paths (issue 11: no Core statement building on a call or an issue)
# PostgreSQL writes the count changes a transaction defers to its commit (the waiting and
# service-time counts of call next and finish) to one of COUNT_SHARDS rows of the key,
# "<key>#<n>", n chosen per transaction (RawQueueTx.flush_counts): sixteen counters finishing
# and calling at once no longer queue on one row per service (issue 11). A count is the sum of
# its base row and its shards; every reading of a count adds them up (shard_keys).
COUNT_SHARDS = 8


def shard_keys(key: str) -> list[str]:
    """A count's rows: the base row, then its shards."""
    return [key] + [f"{key}#{i}" for i in range(COUNT_SHARDS)]


def base_key(key: str) -> str:
    return key.partition("#")[0]


def in_shards(param: str) -> str:
    """``:param_0, ..., :param_8``: a count's rows as statement parameters (shard_params)."""
    return ", ".join(f":{param}_{i}" for i in range(COUNT_SHARDS + 1))


def shard_params(param: str, key: str) -> dict[str, str]:
    """The parameters ``in_shards(param)`` names, for ``key``."""
    return {f"{param}_{i}": k for i, k in enumerate(shard_keys(key))}


_COUNT = Sql(f"SELECT sum(value) FROM daily_counts WHERE day = :day AND key IN ({in_shards('key')})")
# the counts the issue estimate reads, in one statement: waiting (or priority waiting) and the
# day's service times of one service
_COUNTS3 = Sql("SELECT key, value FROM daily_counts WHERE day = :day AND key IN "
               f"({in_shards('k0')}, {in_shards('k1')}, {in_shards('k2')})")
_ISSUED_COUNTS = Sql("SELECT key, value FROM daily_counts WHERE day = :day AND key LIKE 'svc:%'")
_COUNTER_STATE = Sql(f"SELECT {COUNTER_COLS} FROM counters WHERE code = :code")
_COUNTER_STATES = Sql(f"SELECT {COUNTER_COLS} FROM counters ORDER BY code")
_GET_TICKET = Sql(f"SELECT {TICKET_COLS} FROM tickets WHERE id = :id")
_BY_TOKEN = Sql(f"SELECT {TICKET_COLS} FROM tickets WHERE token = :token ORDER BY id DESC LIMIT 1")
_BY_NUMBER = Sql(f"SELECT {TICKET_COLS} FROM tickets WHERE service_day = :day AND prefix = :prefix AND seq = :seq "
                 "ORDER BY id DESC LIMIT 1")

# -- the day rollover (SqlTx.rollover)
_STORED_DAY = Sql("SELECT value FROM meta WHERE key = 'service_day'")
_ROLL_DAY = Sql("UPDATE meta SET value = :iso WHERE key = 'service_day' AND value < :iso")
_ROLL_COUNTERS = Sql("UPDATE counters SET current_ticket_id = NULL, priority_streak = 0, status = 'closed', "
                     "pause_reason = NULL")
_ROLL_TICKETS = Sql("UPDATE tickets SET status = 'expired' WHERE service_day < :day "
                    "AND status IN ('waiting', 'called', 'serving', 'parked')")

# -- the schema revision, in one plain query (no alembic on the issue path)
_REVISION = Sql("SELECT version_num FROM alembic_version")
_SERVER_NOW = Sql("SELECT statement_timestamp()")


def open_among_sql(n: int) -> Sql:
    """How many of the counters :c0..:c{n-1} are open (one index probe per code)."""
    return Sql("SELECT count(*) FROM counters WHERE status = 'open' AND code IN ("
               + ", ".join(f":c{i}" for i in range(n)) + ")")

# -- the event log
EVENT_CHANNEL = "mpp_events"
_XID = "pg_current_xact_id()::text::bigint"
# SQLite's event insert (PostgreSQL writes its events with commit_tail_sql)
_APPEND = Sql(
    "INSERT INTO events (at, type, ticket_id, number, counter_code, officer, service_code, payload) "
    "VALUES (:at, :type, :ticket_id, :number, :counter_code, :officer, :service_code, :payload) RETURNING id")
# PostgreSQL (module docstring): a writer's lock key is L - 2**63 for the sequence's value L (the
# negative half of the bigint keys: pg_locks shows it as classid >= 2**31); the ids it draws are > L
EVENT_SEQ = "events_id_seq"
_SEQ_VALUE = f"(SELECT last_value - CASE WHEN is_called THEN 0 ELSE 1 END AS v FROM {EVENT_SEQ} OFFSET 0)"


def commit_tail_sql(n_counts: int, n_events: int) -> Sql:
    """PostgreSQL: what a transaction writes at commit, in one statement: its ``n_counts``
    deferred count changes (rows in key order; RETURNING, so that the lock below waits for
    them), then the event lock (a shared advisory lock keyed by the sequence's value, the
    module docstring of antrian.storage.sql_tx; taken before any event id is drawn: the ids come
    from the insert's rows, each made after the lock's row), then its ``n_events`` events, in
    order (one VALUES row each, the lock's single row joined to them by a nested loop)."""
    assert n_events > 0
    ctes = []
    after_counts = ""
    if n_counts:
        rows = ", ".join(f"(CAST(:cday{i} AS date), :ckey{i}, CAST(:cby{i} AS bigint))" for i in range(n_counts))
        ctes.append(f"c AS (INSERT INTO daily_counts (day, key, value) VALUES {rows} "
                    "ON CONFLICT (day, key) DO UPDATE SET value = daily_counts.value + excluded.value RETURNING 1)")
        after_counts = ", (SELECT count(*) FROM c) AS k"
    ctes.append(f"l AS (SELECT pg_advisory_xact_lock_shared(s.v - 9223372036854775807 - 1) "
                f"FROM {_SEQ_VALUE} s{after_counts})")
    values = ", ".join(
        f"(CAST(:at{i} AS timestamp), :type{i}, CAST(:ticket_id{i} AS integer), CAST(:number{i} AS text), "
        f"CAST(:counter_code{i} AS text), CAST(:officer{i} AS text), CAST(:service_code{i} AS text), :payload{i})"
        for i in range(n_events))
    return Sql("SELECT 1",  # PostgreSQL only
               pg=f"WITH {', '.join(ctes)} "
                  "INSERT INTO events (xid, at, type, ticket_id, number, counter_code, officer, service_code, payload) "
                  f"SELECT {_XID}, v.* FROM l, (VALUES {values}) "
                  "AS v (at, type, ticket_id, number, counter_code, officer, service_code, payload) "
                  "RETURNING id")


# PostgreSQL: the displays' wake-up, sent after a commit that wrote events, as a transaction of its
# own that does not wait for its WAL flush. Not inside the writing transaction: a NOTIFY takes one
# database-wide lock from its commit's start to its end, fsync included, so sixteen counters'
# commits queued on it (issue 11: 2.6 of 16 backends waited on it, AccessExclusiveLock on object
# 1262/0). A wake-up lost to a crash right after the commit costs a display one poll interval.
_WAKE = f"SELECT set_config('synchronous_commit', 'off', true), pg_notify('{EVENT_CHANNEL}', '')"
WAKE = Sql("SELECT 1", pg=_WAKE)  # PostgreSQL only
# a server-side function's COMMIT and the wake-up after it, in one batch (antrian.storage.db)
COMMIT_AND_WAKE = Sql("SELECT 1", pg="COMMIT; " + _WAKE)
