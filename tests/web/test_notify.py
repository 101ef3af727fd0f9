""""Beri tahu saya": the form (CSRF, Indonesian validation), the decision (near / called, once
each), delivery with retries and backoff on a fake clock, failures visible, no phone in logs,
numbers forgotten after the day; the WhatsApp and SMS adapters against a fake HTTP server."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from antrian.services.notify import NotifyError, normalise_phone, scrub
from web.notifiers import HttpSmsNotifier, WhatsAppCloudNotifier

pytestmark = pytest.mark.web

PHONE = "0812-3456-7890"
E164 = "6281234567890"


@pytest.mark.parametrize("text, expect", [
    ("0812-3456-7890", E164), ("+62 812 3456 7890", E164), ("6281234567890", E164), ("81234567890", E164),
    ("(0812) 3456.7890", E164), ("021 555 1234", None), ("0812", None), ("08123456789012345", None),
    ("abc", None), ("", None), ("+1 202 555 0100", None),
])
def test_phone_numbers(text, expect):
    assert normalise_phone(text) == expect


def test_scrub_removes_numbers():
    assert "6281234567890" not in scrub("HTTP 400: invalid recipient 6281234567890")


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def submit(web, token, phone, csrf=None, **extra):
    if csrf is None:
        csrf = csrf_of(web.client.get(f"/t/{token}").text)
    return web.client.post(f"/t/{token}/notify", data={"phone": phone, "csrf": csrf, "lang": "id", **extra},
                           follow_redirects=False)


def test_form_needs_a_csrf_token(web):
    it = web.queue.issue("ktp")
    web.step()
    r = submit(web, it.ticket.token, PHONE, csrf="1.forged")
    assert r.status_code == 400 and "Formulir sudah kedaluwarsa" in r.text
    assert web.store.subscriptions(web.hub.state.day) == []


def test_form_explains_a_bad_number_in_indonesian(web):
    it = web.queue.issue("ktp")
    web.step()
    r = submit(web, it.ticket.token, "12345")
    assert r.status_code == 400 and "Nomor belum benar" in r.text and 'aria-invalid="true"' in r.text


def test_subscribe_then_near_and_called_messages_once_each(web, caplog):
    for _ in range(4):
        web.queue.issue("ktp")
    it = web.queue.issue("ktp")  # 4 ahead; the test hall's threshold is 2
    web.step()
    with caplog.at_level(logging.DEBUG):
        r = submit(web, it.ticket.token, PHONE)
        assert r.status_code == 303
        page = web.client.get(r.headers["location"])
        assert "0812•••••890" in page.text and E164 not in page.text and "081234567890" not in page.text
        web.notifications.deliver_due()
        assert web.notifier.sent == []  # 4 ahead: not yet
        web.queue.call_next("7")
        web.queue.finish("7")
        web.step()
        web.notifications.deliver_due()
        assert web.notifier.sent == []  # 3 ahead
        web.queue.call_next("7")
        web.queue.finish("7")
        web.step()
        web.step()
        web.notifications.deliver_due()
        assert len(web.notifier.sent) == 1
        to, body = web.notifier.sent[0]
        assert to == E164 and "tinggal 2 orang lagi" in body and it.ticket.number in body
        web.queue.call_next("7")
        web.queue.finish("7")
        web.queue.call_next("7")
        web.queue.finish("7")
        web.queue.call_next("7")
        web.step()
        web.queue.recall("7")
        web.step()
        web.notifications.deliver_due()
        assert [b for _, b in web.notifier.sent][1:] == [f"MPP Uji: nomor antrean {it.ticket.number} dipanggil. Silakan menuju Loket 7."]
    for number in (E164, "81234567890", "3456"):
        assert number not in caplog.text


def test_subscriber_already_near_is_told_at_once(web):
    it = web.queue.issue("ktp")
    web.step()
    assert submit(web, it.ticket.token, PHONE).status_code == 303
    web.notifications.deliver_due()
    assert len(web.notifier.sent) == 1 and "tinggal 0 orang lagi" in web.notifier.sent[0][1]


def test_stop_deletes_the_number(web):
    it = web.queue.issue("ktp")
    web.step()
    submit(web, it.ticket.token, PHONE)
    r = submit(web, it.ticket.token, "", action="stop")
    assert r.status_code == 303
    assert web.store.subscriptions(web.hub.state.day) == []
    assert "Nomor Anda sudah dihapus" in web.client.get(r.headers["location"]).text


def test_retries_with_backoff_then_failure_is_recorded(web, caplog):
    it = web.queue.issue("ktp")
    web.step()
    submit(web, it.ticket.token, PHONE)
    web.notifier.fail_next = 10
    n = web.notifications
    with caplog.at_level(logging.INFO):
        assert n.deliver_due() == (0, 1, 0)  # attempt 1 fails: retry in 10 s
        assert n.deliver_due() == (0, 0, 0)  # not due yet
        web.clock.advance(seconds=9)
        assert n.deliver_due() == (0, 0, 0)
        web.clock.advance(seconds=1)
        assert n.deliver_due() == (0, 1, 0)  # attempt 2 fails: retry in 20 s
        web.clock.advance(seconds=19)
        assert n.deliver_due() == (0, 0, 0)
        web.clock.advance(seconds=1)
        assert n.deliver_due() == (0, 0, 1)  # attempt 3 of 3: failed for good
    assert web.notifier.attempts == 3
    [f] = n.failures()
    assert f.number == it.ticket.number and f.kind == "near" and f.attempts == 3 and "gateway" in f.last_error
    assert "failed after 3 attempts" in caplog.text and E164 not in caplog.text
    assert [x.id for x in web.store.failures()] == [f.id]


def test_backoff_doubles_and_is_capped(web):
    n = web.notifications
    assert [n.backoff(a) for a in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert n.backoff(30) == n.max_retry_seconds


def test_a_call_never_waits_for_the_gateway(web):
    """Sending happens in the worker; the call and the reader step only queue a row."""
    it = web.queue.issue("ktp")
    web.step()
    submit(web, it.ticket.token, PHONE)
    web.notifier.send = lambda *a: (_ for _ in ()).throw(AssertionError("sent inside a call"))
    web.queue.call_next("7")
    web.step()
    kinds = [r["kind"] for r in web.store.outbox_rows()]
    assert kinds == ["near", "called"]


def test_numbers_are_forgotten_after_the_day(web):
    it = web.queue.issue("ktp")
    web.step()
    submit(web, it.ticket.token, PHONE)
    day = web.hub.state.day
    assert web.store.subscriptions(day)
    web.clock.advance(days=1)
    web.step()  # the reader notices the new day and purges
    assert web.store.subscriptions(day) == []


def test_disabled_notifications_say_so(hall, store, clock):
    from tests.web.conftest import make_web

    w = make_web(hall, store, clock, enabled=False)
    it = w.queue.issue("ktp")
    w.step()
    page = w.client.get(f"/t/{it.ticket.token}")
    assert "belum tersedia" in page.text and 'name="phone"' not in page.text


def _capture(status=200, body="{}"):
    seen = []

    def handler(request: httpx.Request):
        seen.append(request)
        return httpx.Response(status, text=body)

    return seen, httpx.Client(transport=httpx.MockTransport(handler))


def test_whatsapp_adapter_posts_a_text_message():
    seen, client = _capture()
    n = WhatsAppCloudNotifier("https://graph.example/v20.0/{phone_number_id}/messages", "TOKEN", "12345", client=client)
    n.send(E164, "halo")
    req = seen[0]
    assert str(req.url) == "https://graph.example/v20.0/12345/messages"
    assert req.headers["authorization"] == "Bearer TOKEN"
    import json

    assert json.loads(req.content) == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": E164,
                                       "type": "text", "text": {"preview_url": False, "body": "halo"}}


def test_sms_adapter_and_errors_carry_no_number():
    seen, client = _capture(400, f"bad recipient {E164}")
    n = HttpSmsNotifier("https://sms.example/send", "T", client=client)
    with pytest.raises(NotifyError) as e:
        n.send(E164, "halo")
    assert "HTTP 400" in str(e.value) and E164 not in str(e.value)

    def boom(request):
        raise httpx.ConnectError("refused")

    n2 = HttpSmsNotifier("https://sms.example/send", "T", client=httpx.Client(transport=httpx.MockTransport(boom)))
    with pytest.raises(NotifyError, match="unreachable"):
        n2.send(E164, "halo")


def test_an_event_batch_writes_only_the_messages_newly_due(web, monkeypatch):
    """Many subscribers: each batch reads what is queued once; it writes only for new messages."""
    tickets = [web.queue.issue("ktp") for _ in range(6)]
    web.step()
    for it in tickets:
        submit(web, it.ticket.token, PHONE)  # ahead <= 2 are told at once (3 of them)
    writes = []
    real = web.store.enqueue_once
    monkeypatch.setattr(web.store, "enqueue_once", lambda *a, **k: writes.append(a[3]) or real(*a, **k))
    web.queue.issue("kk")  # an event that changes nobody's place
    web.step()
    assert writes == []
    web.queue.call_next("7")  # the first is called, the fourth is now 2 ahead
    web.step()
    assert sorted(writes) == ["called", "near"]
    assert sorted(r["kind"] for r in web.store.outbox_rows()) == ["called"] + ["near"] * 4
