"""A short chaos run per backend in the normal suite (issue 10): kill -9 at random while
workers do every action, then every invariant over rows and events. `make chaos` runs the long
one (CHAOS_SECONDS, default 180 per backend).

Here a run stops once it has seen ENOUGH kills and committed operations (a few seconds on an idle
machine), and at the latest after SECONDS: a busy machine makes it longer, never red by chance."""

from __future__ import annotations

import os

import pytest

from tests.chaos.run import run

SECONDS = float(os.environ.get("MPP_CHAOS_TEST_SECONDS", 90))
ENOUGH = (6, 60)  # (kills, operations): more than the checks below ask for


def _check(url, backend, tmp_path):
    r = run(url, SECONDS, backend, seed=7, workdir=tmp_path, enough=ENOUGH)
    print(r.line())
    assert r.violations == [], "\n".join(r.violations[:30])
    assert r.kills > 3 and r.operations > 50, r.line()


@pytest.mark.timeout(300)
def test_chaos_sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'chaos.sqlite3'}", "sqlite", tmp_path)


@pytest.mark.pg
@pytest.mark.timeout(300)
def test_chaos_postgresql(pg_url, tmp_path):
    _check(pg_url, "pg", tmp_path)
