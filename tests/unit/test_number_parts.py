"""The number and the token around their number, for a store that draws the number itself
(PostgreSQL's mpp_issue): built back from the parts they give the same text as format_number and
make_token, for every number width; formats the parts cannot express give None (the plain path)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from antrian.domain import model
from antrian.domain.model import TOKEN_RE, make_token, token_parts
from tests.conftest import make_hall

SEQS = (1, 7, 12, 99, 100, 999, 1000, 12345)


def _join(parts: tuple[str, int, str], seq: int) -> str:
    pre, width, post = parts
    text = str(seq)
    return pre + (text.rjust(width, "0") if len(text) < width else text) + post  # as the SQL builds it


@pytest.mark.parametrize("fmt", ["{prefix}-{seq:03d}", "{prefix}{seq}", "No. {seq:04d} ({prefix})",
                                 "{prefix}-{seq:d}", "{{{prefix}}} {seq:02d}"])
def test_number_parts_give_format_number(fmt):
    hall = replace(make_hall(), number_format=fmt)
    parts = hall.number_parts("K")
    assert parts is not None
    assert [_join(parts, n) for n in SEQS] == [hall.format_number("K", n) for n in SEQS]


@pytest.mark.parametrize("fmt", ["{seq:x}", "{prefix!r}-{seq}", "{seq}-{seq}", "{prefix}-{seq:3d}", "{prefix}",
                                 "{prefix:>3}{seq}"])
def test_formats_the_parts_cannot_express_give_none(fmt):
    assert replace(make_hall(), number_format=fmt).number_parts("K") is None


def test_token_parts_give_make_token(monkeypatch):
    monkeypatch.setattr(model, "_TOKEN_ALPHABET", "Q")
    day = date(2026, 12, 3)
    parts = token_parts(day, "K")
    for n in SEQS:
        token = _join(parts, n)
        assert token == make_token(day, "K", n)
        assert n >= 1_000_000 or TOKEN_RE.fullmatch(token)
