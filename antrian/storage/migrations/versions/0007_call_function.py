"""PostgreSQL: call next, finish, and finish + call next, as one server-side function (issue 11: the
cycle was eight round trips and most of a station's CPU). SQLite: nothing (its transactions run
in the station's own process).

``mpp_call_next`` does, in one statement, what the use cases antrian.services.counter_actions
(call_next, finish) and antrian.services.handover (close_and_call_next "finish") do on the plain path,
with the same statements in the same lock order: the service day's pin, the counter's row, the
ticket at the counter, the two locked candidates (sql_tx._candidates_sql), the priority rule
(antrian.domain.rules.choose_next), the finish, the claim and the seat, the deferred counts on one
shard, the event lock and the events (the displays' wake-up follows the commit:
antrian.storage.sql_text.WAKE). It answers ``outcome`` 'ok' only when all of it
applied; any other outcome is a case for the plain path (a new day, a closed or paused counter,
no ticket or a busy counter, nobody waiting in the locked read) and it wrote nothing: it returns
before its first write, or raises SQLSTATE MPP01 after one, so the statement rolls back.
tests/integration/test_call_function.py runs the same scenarios both ways and compares tickets,
counters, counts and events.

Revision ID: 0007_call_function
Revises: 0006_events_xid
Create Date: 2026-12-03
"""

from alembic import op

revision = "0007_call_function"
down_revision = "0006_events_xid"
branch_labels = None
depends_on = None

# the candidates: per class, the oldest of each service's CANDIDATE_WINDOW (8) oldest waiting
# tickets that no other transaction holds ("status || ''": the recheck, never an index condition)
_CANDIDATE = """
    SELECT * INTO {var} FROM tickets
     WHERE id = ANY(ARRAY(
             SELECT w.id FROM unnest(p_services) AS s(code), LATERAL (
                 SELECT t.id FROM tickets t
                  WHERE t.status = 'waiting' AND t.service_code = s.code AND t.prio = {prio}
                    AND (t.target_counter IS NULL OR t.target_counter = p_counter)
                  ORDER BY t.arrival_at, t.id LIMIT 8) AS w))
       AND status || '' = 'waiting' AND (target_counter IS NULL OR target_counter = p_counter)
     ORDER BY arrival_at, id LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED;"""

FUNCTION = f"""
CREATE OR REPLACE FUNCTION mpp_call_next(
    p_counter text, p_services text[], p_officer text, p_at timestamp, p_iso text,
    p_ratio integer, p_overdue timestamp, p_finish boolean, p_call boolean, p_shard integer,
    OUT outcome text, OUT closed tickets, OUT called tickets)
-- generic plans from the first call: the statements' shapes never change, and a custom plan of the
-- candidate reads per call cost a third of the function's time (issue 11)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
#variable_conflict use_column
DECLARE
    v_day text;
    v_counter counters%ROWTYPE;
    v_prio tickets%ROWTYPE;
    v_reg tickets%ROWTYPE;
    v_started timestamp;
    v_secs integer := 0;
    v_streak integer;
BEGIN
    -- the service day's pin (a rollover waits for it); another day: the plain path
    SELECT value INTO v_day FROM meta WHERE key = 'service_day' FOR SHARE;
    IF v_day IS DISTINCT FROM p_iso THEN outcome := 'day'; RETURN; END IF;
    -- the lock order: the counter row first
    SELECT * INTO v_counter FROM counters WHERE code = p_counter FOR UPDATE;
    IF NOT FOUND OR (p_call AND v_counter.status <> 'open') THEN outcome := 'counter'; RETURN; END IF;
    IF p_finish THEN
        IF v_counter.current_ticket_id IS NULL THEN outcome := 'no ticket'; RETURN; END IF;
        SELECT * INTO closed FROM tickets WHERE id = v_counter.current_ticket_id;
        IF NOT FOUND OR closed.status NOT IN ('called', 'serving') THEN outcome := 'ticket'; RETURN; END IF;
    ELSIF v_counter.current_ticket_id IS NOT NULL THEN
        outcome := 'busy'; RETURN;
    END IF;
    IF p_call THEN
    {_CANDIDATE.format(var="v_prio", prio=1)}
    {_CANDIDATE.format(var="v_reg", prio=0)}
    END IF;
    -- the priority rule (antrian.domain.rules.choose_next)
    IF NOT p_call THEN
        NULL;
    ELSIF v_prio.id IS NULL AND v_reg.id IS NULL THEN
        outcome := 'none'; RETURN;
    ELSIF v_prio.id IS NULL THEN
        called := v_reg;
    ELSIF v_reg.id IS NULL THEN
        called := v_prio;
    ELSIF p_overdue IS NOT NULL AND v_prio.arrival_at <= p_overdue AND v_reg.arrival_at <= p_overdue THEN
        IF (v_prio.arrival_at, v_prio.id) <= (v_reg.arrival_at, v_reg.id) THEN
            called := v_prio;
        ELSE
            called := v_reg;
        END IF;
    ELSIF p_overdue IS NOT NULL AND v_prio.arrival_at <= p_overdue THEN
        called := v_prio;
    ELSIF p_overdue IS NOT NULL AND v_reg.arrival_at <= p_overdue THEN
        called := v_reg;
    ELSIF v_counter.priority_streak >= p_ratio THEN
        called := v_reg;
    ELSE
        called := v_prio;
    END IF;
    -- the finish (with a call, its release is the seat below: this statement holds the counter row)
    IF p_finish THEN
        v_started := COALESCE(closed.started_at, closed.called_at, p_at);
        v_secs := GREATEST(0, trunc(extract(epoch FROM (p_at - v_started)))::integer);
        UPDATE tickets SET status = 'done', started_at = v_started, finished_at = p_at
         WHERE id = closed.id AND status = closed.status;
        IF NOT FOUND THEN RAISE EXCEPTION 'finish did not apply' USING ERRCODE = 'MPP01'; END IF;
    END IF;
    IF p_call THEN  -- the claim and the seat
        UPDATE tickets SET status = 'called', counter_code = p_counter, called_at = p_at, officer = p_officer
         WHERE id = called.id AND status = 'waiting';
        IF NOT FOUND THEN RAISE EXCEPTION 'claim did not apply' USING ERRCODE = 'MPP01'; END IF;
        v_streak := CASE WHEN called.priority IS NOT NULL THEN v_counter.priority_streak + 1 ELSE 0 END;
        UPDATE counters SET current_ticket_id = called.id, status = 'open', pause_reason = NULL, updated_at = p_at,
               priority_streak = v_streak,
               officer = CASE WHEN COALESCE(p_officer, '') <> '' THEN p_officer ELSE officer END
         WHERE code = p_counter;
    ELSE  -- the release
        UPDATE counters SET current_ticket_id = NULL WHERE code = p_counter AND current_ticket_id = closed.id;
        IF NOT FOUND THEN RAISE EXCEPTION 'release did not apply' USING ERRCODE = 'MPP01'; END IF;
    END IF;
    -- the counts, on one shard, in key order (RawQueueTx._deferred_rows)
    INSERT INTO daily_counts (day, key, value)
    SELECT c.d, c.k, c.v FROM (
        SELECT closed.service_day AS d, ('done_n:' || closed.service_code || '#' || p_shard) COLLATE "C" AS k,
               1::bigint AS v WHERE p_finish
        UNION ALL SELECT closed.service_day, 'done_s:' || closed.service_code || '#' || p_shard, v_secs
         WHERE p_finish AND v_secs <> 0
        UNION ALL SELECT called.service_day, 'wait:' || called.service_code || '#' || p_shard, -1 WHERE p_call
        UNION ALL SELECT called.service_day, 'waitp:' || called.service_code || '#' || p_shard, -1
         WHERE p_call AND called.prio = 1
    ) AS c ORDER BY c.d, c.k
    ON CONFLICT (day, key) DO UPDATE SET value = daily_counts.value + excluded.value;
    -- the event lock (antrian.storage.sql_tx's docstring), then the events in order
    PERFORM pg_advisory_xact_lock_shared(s.v - 9223372036854775807 - 1)
       FROM (SELECT last_value - CASE WHEN is_called THEN 0 ELSE 1 END AS v FROM events_id_seq OFFSET 0) AS s;
    IF p_finish THEN
        INSERT INTO events (xid, at, type, ticket_id, number, counter_code, officer, service_code, payload)
        VALUES (pg_current_xact_id()::text::bigint, p_at, 'finished', closed.id, closed.number, p_counter,
                p_officer, closed.service_code, '{{"service_s":' || v_secs || '}}');
    END IF;
    IF p_call THEN
        INSERT INTO events (xid, at, type, ticket_id, number, counter_code, officer, service_code, payload)
        VALUES (pg_current_xact_id()::text::bigint, p_at, 'called', called.id, called.number, p_counter,
                p_officer, called.service_code,
                '{{"prefix":' || to_json(called.prefix)::text || ',"seq":' || called.seq
                || ',"priority":' || COALESCE(to_json(called.priority)::text, 'null')
                || ',"waited_s":' || trunc(extract(epoch FROM (p_at - called.arrival_at)))::integer || '}}');
    END IF;
    outcome := 'ok';
END
$fn$
"""

SIGNATURE = "mpp_call_next(text, text[], text, timestamp, text, integer, timestamp, boolean, boolean, integer)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
