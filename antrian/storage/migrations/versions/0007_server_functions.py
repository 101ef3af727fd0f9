"""PostgreSQL: call next, finish, finish + call next, and issue, each as one call of a server-side
function (issue 11: a cycle was eight round trips and most of a station's CPU). SQLite: nothing
(its transactions run in the station's own process).

``mpp_call_next`` does, in one statement, what the use cases antrian.services.counter_actions
(call_next, finish) and antrian.services.handover (close_and_call_next "finish") do on the plain path,
with the same statements in the same lock order: the service day's pin, the counter's row, the
ticket at the counter, the two locked candidates (sql_tx._candidates_sql), the priority rule
(antrian.domain.rules.choose_next), the finish, the claim and the seat, the deferred counts on one
shard, the event lock and the events (the displays' wake-up follows the commit:
antrian.storage.sql_text.WAKE). It answers ``outcome`` 'ok' only when all of it
applied; any other outcome is a case for the plain path (a new day, a closed or paused counter,
no ticket or a busy counter, nobody waiting in the locked read) and it wrote nothing: it returns
before its first write, or raises SQLSTATE MPP01 after one. The station runs each in a
transaction it commits itself once it has the answer (SqlStore._at_server), as on the plain path.
``mpp_issue`` does what antrian.services.issuing does: the day's pin, the quota count and the
number, the people ahead and the estimate, the ticket and its waiting counts, the event. The
station checks the opening hours first (they need no data); a full quota raises MPP01 (the plain
path then refuses in its words); the number and the token are built around the number from
parts the station gives (Hall.number_parts, model.token_parts).

tests/integration/test_server_functions.py runs the same scenarios both ways and compares tickets,
counters, counts and events (their stored text too).

Revision ID: 0007_server_functions
Revises: 0006_events_xid
Create Date: 2026-12-03
"""

from alembic import op

revision = "0007_server_functions"
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

# the function's answer: the closed ticket (k_...) and the called one (n_...), each as
# antrian.storage.sql_raw.TICKET_COLS lists them (flat columns: a SELECT * of them plans at once)
_COLUMNS = (("id", "integer"), ("service_day", "date"), ("prefix", "text"), ("seq", "integer"), ("number", "text"),
            ("service_code", "text"), ("agency_code", "text"), ("priority", "text"), ("status", "text"),
            ("issued_at", "timestamp"), ("arrival_at", "timestamp"), ("token", "text"), ("counter_code", "text"),
            ("officer", "text"), ("target_counter", "text"), ("called_at", "timestamp"), ("started_at", "timestamp"),
            ("finished_at", "timestamp"), ("recall_count", "integer"), ("transferred_from", "integer"))
_OUT_COLUMNS = ", ".join(f"OUT {side}_{name} {type_}" for side in ("k", "n") for name, type_ in _COLUMNS)
_ANSWER = ("SELECT " + ", ".join(f"v_{row}.{name}" for row in ("closed", "called") for name, _ in _COLUMNS)
           + " INTO " + ", ".join(f"{side}_{name}" for side in ("k", "n") for name, _ in _COLUMNS) + ";")

FUNCTION = f"""
CREATE OR REPLACE FUNCTION mpp_call_next(
    p_counter text, p_services text[], p_officer text, p_at timestamp, p_iso text,
    p_ratio integer, p_overdue timestamp, p_finish boolean, p_call boolean, p_shard integer,
    OUT outcome text, {_OUT_COLUMNS})
-- generic plans from the first call: the statements' shapes never change, and a custom plan of the
-- candidate reads per call cost a third of the function's time (issue 11)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
#variable_conflict use_column
DECLARE
    v_day text;
    v_counter counters%ROWTYPE;
    v_prio tickets%ROWTYPE;
    v_reg tickets%ROWTYPE;
    v_closed tickets%ROWTYPE;
    v_called tickets%ROWTYPE;
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
        SELECT * INTO v_closed FROM tickets WHERE id = v_counter.current_ticket_id;
        IF NOT FOUND OR v_closed.status NOT IN ('called', 'serving') THEN outcome := 'ticket'; RETURN; END IF;
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
        v_called := v_reg;
    ELSIF v_reg.id IS NULL THEN
        v_called := v_prio;
    ELSIF p_overdue IS NOT NULL AND v_prio.arrival_at <= p_overdue AND v_reg.arrival_at <= p_overdue THEN
        IF (v_prio.arrival_at, v_prio.id) <= (v_reg.arrival_at, v_reg.id) THEN
            v_called := v_prio;
        ELSE
            v_called := v_reg;
        END IF;
    ELSIF p_overdue IS NOT NULL AND v_prio.arrival_at <= p_overdue THEN
        v_called := v_prio;
    ELSIF p_overdue IS NOT NULL AND v_reg.arrival_at <= p_overdue THEN
        v_called := v_reg;
    ELSIF v_counter.priority_streak >= p_ratio THEN
        v_called := v_reg;
    ELSE
        v_called := v_prio;
    END IF;
    -- the finish (with a call, its release is the seat below: this statement holds the counter row)
    IF p_finish THEN
        v_started := COALESCE(v_closed.started_at, v_closed.called_at, p_at);
        v_secs := GREATEST(0, trunc(extract(epoch FROM (p_at - v_started)))::integer);
        UPDATE tickets SET status = 'done', started_at = v_started, finished_at = p_at
         WHERE id = v_closed.id AND status = v_closed.status;
        IF NOT FOUND THEN RAISE EXCEPTION 'finish did not apply' USING ERRCODE = 'MPP01'; END IF;
    END IF;
    IF p_call THEN  -- the claim and the seat
        UPDATE tickets SET status = 'called', counter_code = p_counter, called_at = p_at, officer = p_officer
         WHERE id = v_called.id AND status = 'waiting';
        IF NOT FOUND THEN RAISE EXCEPTION 'claim did not apply' USING ERRCODE = 'MPP01'; END IF;
        v_streak := CASE WHEN v_called.priority IS NOT NULL THEN v_counter.priority_streak + 1 ELSE 0 END;
        UPDATE counters SET current_ticket_id = v_called.id, status = 'open', pause_reason = NULL, updated_at = p_at,
               priority_streak = v_streak,
               officer = CASE WHEN COALESCE(p_officer, '') <> '' THEN p_officer ELSE officer END
         WHERE code = p_counter;
    ELSE  -- the release
        UPDATE counters SET current_ticket_id = NULL WHERE code = p_counter AND current_ticket_id = v_closed.id;
        IF NOT FOUND THEN RAISE EXCEPTION 'release did not apply' USING ERRCODE = 'MPP01'; END IF;
    END IF;
    -- the counts, on one shard, in key order (RawQueueTx._deferred_rows)
    INSERT INTO daily_counts (day, key, value)
    SELECT c.d, c.k, c.v FROM (
        SELECT v_closed.service_day AS d, ('done_n:' || v_closed.service_code || '#' || p_shard) COLLATE "C" AS k,
               1::bigint AS v WHERE p_finish
        UNION ALL SELECT v_closed.service_day, 'done_s:' || v_closed.service_code || '#' || p_shard, v_secs
         WHERE p_finish AND v_secs <> 0
        UNION ALL SELECT v_called.service_day, 'wait:' || v_called.service_code || '#' || p_shard, -1 WHERE p_call
        UNION ALL SELECT v_called.service_day, 'waitp:' || v_called.service_code || '#' || p_shard, -1
         WHERE p_call AND v_called.prio = 1
    ) AS c ORDER BY c.d, c.k
    ON CONFLICT (day, key) DO UPDATE SET value = daily_counts.value + excluded.value;
    -- the event lock (antrian.storage.sql_tx's docstring), then the events in order
    PERFORM pg_advisory_xact_lock_shared(s.v - 9223372036854775807 - 1)
       FROM (SELECT last_value - CASE WHEN is_called THEN 0 ELSE 1 END AS v FROM events_id_seq OFFSET 0) AS s;
    IF p_finish THEN
        INSERT INTO events (xid, at, type, ticket_id, number, counter_code, officer, service_code, payload)
        VALUES (pg_current_xact_id()::text::bigint, p_at, 'finished', v_closed.id, v_closed.number, p_counter,
                p_officer, v_closed.service_code, '{{"service_s":' || v_secs || '}}');
    END IF;
    IF p_call THEN
        INSERT INTO events (xid, at, type, ticket_id, number, counter_code, officer, service_code, payload)
        VALUES (pg_current_xact_id()::text::bigint, p_at, 'called', v_called.id, v_called.number, p_counter,
                p_officer, v_called.service_code,
                '{{"prefix":' || to_json(v_called.prefix)::text || ',"seq":' || v_called.seq
                || ',"priority":' || COALESCE(to_json(v_called.priority)::text, 'null')
                || ',"waited_s":' || trunc(extract(epoch FROM (p_at - v_called.arrival_at)))::integer || '}}');
    END IF;
    {_ANSWER}
    outcome := 'ok';
END
$fn$
"""

ISSUE_FUNCTION = """
CREATE OR REPLACE FUNCTION mpp_issue(
    p_iso text, p_service text, p_agency text, p_prefix text, p_priority text, p_at timestamp,
    p_quota integer, p_num_pre text, p_num_width integer, p_num_post text,
    p_tok_pre text, p_tok_width integer, p_tok_post text,
    p_count_keys text[], p_counters text[], p_service_minutes float8, p_officer text,
    OUT outcome text, OUT o_id integer, OUT o_seq integer, OUT o_number text, OUT o_token text,
    OUT o_ahead integer, OUT o_eta integer)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
#variable_conflict use_column
DECLARE
    v_day text;
    v_date date;
    v_slot bigint;
    v_wait text := CASE WHEN p_priority IS NULL THEN 'wait:' ELSE 'waitp:' END || p_service;
    v_n bigint;
    v_s bigint;
    v_open integer;
    v_avg float8;
    v_seq text;
BEGIN
    SELECT value INTO v_day FROM meta WHERE key = 'service_day' FOR SHARE;
    IF v_day IS DISTINCT FROM p_iso THEN outcome := 'day'; RETURN; END IF;
    v_date := p_iso::date;
    -- the quota count and the number in one statement, in key order ("seq:" < "svc:")
    WITH u AS (
        INSERT INTO daily_counts (day, key, value) VALUES (v_date, 'seq:' || p_prefix, 1), (v_date, 'svc:' || p_service, 1)
        ON CONFLICT (day, key) DO UPDATE SET value = daily_counts.value + excluded.value RETURNING key, value)
    SELECT max(value) FILTER (WHERE key = 'svc:' || p_service), max(value) FILTER (WHERE key = 'seq:' || p_prefix)
      INTO v_slot, o_seq FROM u;
    IF p_quota IS NOT NULL AND v_slot - 1 >= p_quota THEN  -- full: the plain path says so
        RAISE EXCEPTION 'quota full' USING ERRCODE = 'MPP01';
    END IF;
    -- the people ahead in the ticket's line and the service's times of the day (base rows and shards)
    SELECT COALESCE(sum(value) FILTER (WHERE split_part(key, '#', 1) = v_wait), 0),
           COALESCE(sum(value) FILTER (WHERE split_part(key, '#', 1) = 'done_n:' || p_service), 0),
           COALESCE(sum(value) FILTER (WHERE split_part(key, '#', 1) = 'done_s:' || p_service), 0)
      INTO o_ahead, v_n, v_s
      FROM daily_counts WHERE day = v_date AND key = ANY(p_count_keys);
    SELECT count(*) INTO v_open FROM counters WHERE status = 'open' AND code = ANY(p_counters);
    -- the estimate (antrian.domain.rules.estimate_wait_minutes, QueueCore._avg_minutes)
    v_avg := CASE WHEN v_n > 0 THEN v_s::float8 / v_n::float8 / 60.0::float8 ELSE p_service_minutes END;
    o_eta := CASE WHEN o_ahead <= 0 THEN 0 ELSE ceil(o_ahead * v_avg / GREATEST(1, v_open))::integer END;
    v_seq := o_seq::text;
    o_number := p_num_pre || CASE WHEN length(v_seq) < p_num_width THEN lpad(v_seq, p_num_width, '0') ELSE v_seq END
                || p_num_post;
    o_token := p_tok_pre || CASE WHEN length(v_seq) < p_tok_width THEN lpad(v_seq, p_tok_width, '0') ELSE v_seq END
               || p_tok_post;
    INSERT INTO tickets (service_day, prefix, seq, number, service_code, agency_code, priority, prio, status,
                         issued_at, arrival_at, token, recall_count)
    VALUES (v_date, p_prefix, o_seq, o_number, p_service, p_agency, p_priority,
            CASE WHEN p_priority IS NULL THEN 0 ELSE 1 END, 'waiting', p_at, p_at, o_token, 0)
    RETURNING id INTO o_id;
    -- the waiting counts, in key order ("wait:" < "waitp:")
    INSERT INTO daily_counts (day, key, value)
    SELECT v_date, k, 1 FROM (VALUES ('wait:' || p_service), ('waitp:' || p_service)) AS c (k)
     WHERE k = 'wait:' || p_service OR p_priority IS NOT NULL ORDER BY k COLLATE "C"
    ON CONFLICT (day, key) DO UPDATE SET value = daily_counts.value + excluded.value;
    PERFORM pg_advisory_xact_lock_shared(s.v - 9223372036854775807 - 1)
       FROM (SELECT last_value - CASE WHEN is_called THEN 0 ELSE 1 END AS v FROM events_id_seq OFFSET 0) AS s;
    INSERT INTO events (xid, at, type, ticket_id, number, counter_code, officer, service_code, payload)
    VALUES (pg_current_xact_id()::text::bigint, p_at, 'issued', o_id, o_number, NULL, p_officer, p_service,
            '{"ahead":' || o_ahead || ',"eta_minutes":' || o_eta
            || ',"priority":' || COALESCE(to_json(p_priority)::text, 'null')
            || ',"prefix":' || to_json(p_prefix)::text || ',"seq":' || o_seq || '}');
    outcome := 'ok';
END
$fn$
"""

ISSUE_SIGNATURE = ("mpp_issue(text, text, text, text, text, timestamp, integer, text, integer, text, text, integer, "
                   "text, text[], text[], float8, text)")

SIGNATURE = "mpp_call_next(text, text[], text, timestamp, text, integer, timestamp, boolean, boolean, integer)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)
        op.execute(ISSUE_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
        op.execute(f"DROP FUNCTION IF EXISTS {ISSUE_SIGNATURE}")
