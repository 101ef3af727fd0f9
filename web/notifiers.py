"""Adapters of the Notifier port: the WhatsApp Business Cloud API and a generic HTTP SMS gateway.
Both send one JSON POST with a short timeout; any refusal becomes NotifyError with a text that
carries no phone number."""

from __future__ import annotations

import httpx

from antrian.config import NotifyCfg
from antrian.services.notify import Notifier, NotifyError, scrub


def _post(url: str, token: str, payload: dict, timeout: float, client: httpx.Client | None) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        if client is not None:
            r = client.post(url, json=payload, headers=headers, timeout=timeout)
        else:
            r = httpx.post(url, json=payload, headers=headers, timeout=timeout)
    except httpx.HTTPError as e:
        raise NotifyError(f"gateway unreachable: {type(e).__name__}") from None
    if r.status_code >= 300:
        raise NotifyError(f"gateway answered HTTP {r.status_code}: {scrub(r.text[:200])}")


class WhatsAppCloudNotifier:
    """POST {url}/messages with a text message (WhatsApp Business Cloud API). Note: outside a
    24-hour conversation window WhatsApp accepts only approved templates; a hall using this adapter
    needs its message texts approved as templates or a gateway that handles it."""

    channel = "whatsapp"

    def __init__(self, url: str, token: str, phone_number_id: str, timeout: float = 10.0,
                 client: httpx.Client | None = None):
        self.url = url.replace("{phone_number_id}", phone_number_id)
        self.token = token
        self.timeout = timeout
        self.client = client

    def send(self, to: str, body: str) -> None:
        _post(self.url, self.token, {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
                                     "type": "text", "text": {"preview_url": False, "body": body}},
              self.timeout, self.client)


class HttpSmsNotifier:
    """A generic SMS gateway: POST {"to": "62812...", "message": "..."} with a bearer token."""

    channel = "sms"

    def __init__(self, url: str, token: str, timeout: float = 10.0, client: httpx.Client | None = None):
        self.url = url
        self.token = token
        self.timeout = timeout
        self.client = client

    def send(self, to: str, body: str) -> None:
        _post(self.url, self.token, {"to": to, "message": body}, self.timeout, self.client)


def build_notifier(cfg: NotifyCfg) -> Notifier | None:
    if cfg.channel == "whatsapp":
        return WhatsAppCloudNotifier(cfg.whatsapp_url, cfg.whatsapp_token, cfg.whatsapp_phone_number_id,
                                     cfg.timeout_seconds)
    if cfg.channel == "sms":
        return HttpSmsNotifier(cfg.sms_url, cfg.sms_token, cfg.timeout_seconds)
    return None
