"""PIN hashing with scrypt (hashlib, no extra dependency): officers' PINs and the kiosk admin PIN.

Format: ``scrypt$n$r$p$salt_hex$hash_hex``: the hash string records its own cost parameters, so
hashes made with older (cheaper) parameters still verify after the cost is raised.

Cost: n = 2**15, r = 8 (32 MiB of memory per check); one check takes at least 50 ms on a current
PC (about 100 ms on a 2024 desktop core), so an offline search of a 6-digit PIN space takes
about a CPU-day instead of minutes. ``MIN_N``/``MIN_R`` are the floor new hashes never go below."""

from __future__ import annotations

import hashlib
import hmac
import secrets

_N, _R, _P = 2**15, 8, 1
MIN_N, MIN_R = 2**15, 8
# scrypt needs 128 * n * r bytes; allow up to 4x today's cost for stored hashes, refuse more
# (a tampered hash must not make a PIN check eat the machine's memory).
_MAXMEM = 4 * 128 * _N * _R + 2**20


def params(stored: str) -> tuple[int, int, int] | None:
    """(n, r, p) recorded in a stored hash, or None when it is not a scrypt hash."""
    try:
        scheme, n, r, p, _salt, _hash = stored.split("$")
        if scheme != "scrypt":
            return None
        return int(n), int(r), int(p)
    except (ValueError, AttributeError):
        return None


def hash_pin(pin: str) -> str:
    if not isinstance(pin, str) or not pin:
        raise ValueError("PIN must not be empty")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32, maxmem=_MAXMEM)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, hash_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt_hex), n=int(n), r=int(r), p=int(p),
                                dklen=len(hash_hex) // 2, maxmem=_MAXMEM)
    except (ValueError, TypeError, AttributeError, MemoryError, OverflowError):
        return False
    return hmac.compare_digest(digest.hex(), hash_hex)
