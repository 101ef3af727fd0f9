"""Security plumbing: response headers (CSP without inline scripts), an access log without
personal data, per-client token buckets, and CSRF tokens for the notify form."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time
from typing import Callable

access_log = logging.getLogger("web.access")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]

_TOKENISH = re.compile(r"^/([tb])/[^/]+")


def log_path(path: str) -> str:
    """The path as logged: ticket tokens (bearer secrets of a citizen's page) are not written."""
    return _TOKENISH.sub(lambda m: f"/{m.group(1)}/*", path)[:120]


class SecurityHeaders:
    """Pure ASGI middleware (streams stay streams): adds HEADERS and logs method, path, status."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        status = {"code": 0}

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in HEADERS if h[0] not in names]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            access_log.info("%s %s %s", scope.get("method"), log_path(scope.get("path", "")), status["code"])


class TokenBucket:
    """In-memory token buckets, one per key: ``rate`` tokens a second, at most ``burst``."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic, max_keys: int = 20000):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.max_keys = max_keys
        self._b: dict[str, tuple[float, float]] = {}

    def allow(self, key: str, cost: float = 1.0) -> bool:
        now = self.clock()
        tokens, last = self._b.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        ok = tokens >= cost
        if ok:
            tokens -= cost
        if len(self._b) >= self.max_keys and key not in self._b:
            self._prune(now)
        self._b[key] = (tokens, now)
        return ok

    def _prune(self, now: float) -> None:
        full = [k for k, (tok, last) in self._b.items() if tok + (now - last) * self.rate >= self.burst]
        for k in full:
            del self._b[k]
        if len(self._b) >= self.max_keys:  # still full: forget the oldest half
            for k in sorted(self._b, key=lambda k: self._b[k][1])[: self.max_keys // 2]:
                del self._b[k]


class Csrf:
    """Stateless form tokens: HMAC(secret, purpose|issued) with an expiry."""

    def __init__(self, secret: bytes | None = None, max_age: float = 4 * 3600, clock: Callable[[], float] = time.time):
        self.secret = secret or secrets.token_bytes(32)
        self.max_age = max_age
        self.clock = clock

    def _mac(self, purpose: str, issued: str) -> str:
        return hmac.new(self.secret, f"{purpose}|{issued}".encode(), hashlib.sha256).hexdigest()[:32]

    def make(self, purpose: str) -> str:
        issued = str(int(self.clock()))
        return f"{issued}.{self._mac(purpose, issued)}"

    def check(self, purpose: str, token: str | None) -> bool:
        if not token or "." not in token or len(token) > 80:
            return False
        issued, mac = token.split(".", 1)
        if not issued.isdigit() or self.clock() - int(issued) > self.max_age:
            return False
        return hmac.compare_digest(mac, self._mac(purpose, issued))
