"""`mpp simulate` scenarios are comparable (issue 15, point 19): each agency has its own random
streams, so changing one agency's counters leaves every other agency's day exactly as it was."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from antrian.config import HallFile, build_hall
from antrian.simulate import (
    SimulationConfig,
    agency_stream,
    erlang_c_wait_share,
    run_simulation,
    suggest_counters,
)
from tests.conftest import hall_dict

DAY = date(2026, 11, 25)  # a Wednesday


@pytest.fixture(scope="module")
def office_hall():
    data = hall_dict()
    data["defaults"]["hours"] = {d: ["08:00-12:00", "13:00-15:30"] for d in ("mon", "tue", "wed", "thu", "fri")}
    return build_hall(HallFile.model_validate(data))


def _run(hall, tmp_path, name, **cfg):
    ctx = SimpleNamespace(hall=hall)
    cfg = SimulationConfig(day=DAY, seed=7, tickets=60, agencies=("dukcapil", "pdam"),
                           sim_db=f"sqlite:///{tmp_path / name}", **cfg)
    return {a.code: a for a in run_simulation(ctx, cfg).agencies}


def test_streams_depend_only_on_seed_agency_and_purpose():
    a = agency_stream(3, "dukcapil", "arrivals").random()
    assert a == agency_stream(3, "dukcapil", "arrivals").random()
    assert a != agency_stream(3, "pdam", "arrivals").random()
    assert a != agency_stream(4, "dukcapil", "arrivals").random()
    assert a != agency_stream(3, "dukcapil", "service").random()


def test_another_pdam_counter_does_not_move_disdukcapil(office_hall, tmp_path):
    base = _run(office_hall, tmp_path, "a.sqlite3")
    more = _run(office_hall, tmp_path, "b.sqlite3", counters_override={"pdam": 4})
    d0, d1 = base["dukcapil"], more["dukcapil"]
    assert d0.waits == d1.waits and d0.issued == d1.issued and d0.served == d1.served
    assert d0.busy_minutes == d1.busy_minutes
    assert more["pdam"].counters == 4 and base["pdam"].counters != 4
    assert more["pdam"].pct(0.9) <= base["pdam"].pct(0.9)


def test_utilisation_share_within_target_and_suggestion(office_hall, tmp_path):
    res = _run(office_hall, tmp_path, "c.sqlite3", target_wait=30)
    d = res["dukcapil"]
    assert 0 < d.utilisation <= 1.5 and 0 <= d.within_target <= 1
    assert d.target == 30 and d.suggested is not None and d.suggested >= 1
    assert len(d.waits) == len(d.targets) and set(d.targets) == {30.0}


def test_erlang_c():
    # one counter, half loaded: P(wait > 0) = 0.5, and the wait beyond 10 min of 10-min services
    assert erlang_c_wait_share(1, 0.05, 10, 0) == pytest.approx(0.5)
    assert erlang_c_wait_share(1, 0.1, 10, 30) == 0.0  # fully loaded: never keeps up
    assert suggest_counters(0.5, 10, 30) == 6  # 5 erlangs need 6 counters for 90% within 30 min
    assert suggest_counters(0, 10, 30) == 1
    more = [erlang_c_wait_share(c, 0.5, 10, 15) for c in range(6, 12)]
    assert more == sorted(more)
