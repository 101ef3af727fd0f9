"""/api/v1: keys with scopes, rate limits, audited writes, OpenAPI."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.web


def test_every_call_needs_a_valid_key(web):
    assert web.client.get("/api/v1/status").status_code == 401
    bad = {"Authorization": "Bearer mpp_00000000_nope"}
    assert web.client.get("/api/v1/status", headers=bad).status_code == 401
    assert web.client.get("/api/v1/status", headers=web.key()).status_code == 200


def test_status_services_waiting_and_calls(web):
    h = web.key()
    web.queue.issue("ktp")
    web.queue.issue("ktp")
    web.queue.issue("kk")
    web.queue.call_next("7")
    web.step()
    st = web.client.get("/api/v1/status", headers=h).json()
    assert st["waiting_total"] == 2 and st["offline"] is False
    assert {"code": "7", "agency": "dukcapil", "status": "open", "number": "K-001"} in st["counters"]
    waiting = {w["service"]: w["waiting"] for w in web.client.get("/api/v1/waiting", headers=h).json()}
    assert waiting["ktp"] == 1 and waiting["kk"] == 1
    services = web.client.get("/api/v1/services", headers=h).json()
    assert {s["code"] for s in services} >= {"ktp", "kk", "pdam-bayar"} and services[0]["open_now"] is True
    calls = web.client.get("/api/v1/calls", headers=h).json()
    assert calls[0]["number"] == "K-001" and calls[0]["counter"] == "7"


def test_write_needs_the_write_scope_and_is_audited(web):
    r = web.client.post("/api/v1/tickets", json={"service": "ktp"}, headers=web.key("read"))
    assert r.status_code == 403
    w = web.key("write", name="kota-app")
    r = web.client.post("/api/v1/tickets", json={"service": "ktp"}, headers=w)
    assert r.status_code == 201
    body = r.json()
    assert body["number"] == "K-001" and body["url"].endswith("/t/" + body["token"])
    events = web.queue.events_after(0)
    assert any(e.type == "issued" and e.officer == "api:kota-app" for e in events)
    bad = web.client.post("/api/v1/tickets", json={"service": "nope"}, headers=w)
    assert bad.status_code == 400 and "unknown service" in bad.json()["error"]
    audit = web.store.audit_rows()
    assert [(a["key_name"], a["status"]) for a in audit] == [("kota-app", 400), ("kota-app", 201)]
    assert "number=K-001" in audit[1]["detail"]
    web.step()
    t = web.client.get(f"/api/v1/tickets/{body['token']}", headers=w).json()
    assert t["state"] == "waiting" and t["ahead"] == 0


def test_invalid_body_gets_a_json_explanation(web):
    r = web.client.post("/api/v1/tickets", json={"priority": 5}, headers=web.key("write"))
    assert r.status_code == 422 and r.json()["error"] == "invalid request"


def test_revoked_key_stops_working(web):
    _, secret = web.store.add_api_key("old", "read", web.clock.now())
    assert web.store.check_api_key(secret) is not None
    assert web.store.revoke_api_key("old", web.clock.now())
    assert web.store.check_api_key(secret) is None
    assert web.client.get("/api/v1/status", headers={"X-API-Key": secret}).status_code == 401
    assert web.store.list_api_keys()[0].revoked_at is not None


def test_keys_are_stored_hashed(web):
    _, secret = web.store.add_api_key("h", "read", web.clock.now())
    from sqlalchemy import select

    from antrian.storage import tables_web as W

    with web.store._conn(False) as conn:
        row = conn.execute(select(W.api_keys)).first()._mapping
    assert secret.split("_", 2)[2] not in row["key_hash"] and len(row["key_hash"]) == 64


def test_rate_limit_per_key(web):
    h = web.key()
    codes = [web.client.get("/api/v1/waiting", headers=h).status_code for _ in range(62)]
    assert codes[:60] == [200] * 60 and codes[60:] == [429, 429]
    web.tick.t += 1
    assert web.client.get("/api/v1/waiting", headers=h).status_code == 200


def test_calls_without_a_key_are_rate_limited_per_address(web):
    codes = [web.client.get("/api/v1/status").status_code for _ in range(21)]
    assert codes[:20] == [401] * 20 and codes[20] == 429


def test_openapi_and_local_docs(web):
    spec = web.client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/status", "/api/v1/services", "/api/v1/waiting", "/api/v1/calls", "/api/v1/tickets"} <= set(spec["paths"])
    assert not any(p.startswith("/t/") or p.startswith("/papan") for p in spec["paths"])
    docs = web.client.get("/api/v1/docs")
    assert docs.status_code == 200 and "/api/v1/status" in docs.text and "cdn" not in docs.text.lower()


def test_offline_api_answers_503(web, monkeypatch):
    from antrian.domain.errors import StoreUnavailable

    h = web.key()
    monkeypatch.setattr(web.queue, "events_after", lambda *a, **k: (_ for _ in ()).throw(StoreUnavailable("x")))
    web.step()
    r = web.client.get("/api/v1/status", headers=h)
    assert r.status_code == 503 and r.json() == {"error": "offline"}
