"""The bundled hall catalogue, the example station configs, and the errors a bad config gives.

A bad file must stop the program with a message naming the file, the key path and the problem,
so the error tests assert on the message text, not only on the exception type.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from antrian.config import (
    ConfigError,
    HoursCfg,
    check_station_against_hall,
    load_hall,
    load_station,
)
from antrian.domain.catalogue import Hall, WeeklyHours
from antrian.paths import bundled_config, default_hall_config

JKT = ZoneInfo("Asia/Jakarta")
STATION_EXAMPLES = sorted(bundled_config("stations").glob("*.example.toml"))


# ---------------------------------------------------------------------------------------------
# helpers


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string is a valid TOML basic string for our ASCII data
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def write_toml(path: Path, data: dict) -> Path:
    """A tiny TOML writer (inline tables only) so tests can describe configs as dicts."""
    lines = [f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in data.items()]
    path.write_text("".join(lines), "utf-8")
    return path


def minimal_hall() -> dict:
    """The smallest valid hall: two agencies, each with one counter and one service."""
    return {
        "hall": {"name": "MPP Uji", "city": "Kota Uji"},
        "defaults": {
            "hours": {
                "mon": ["08:00-15:00"],
                "fri": ["08:00-11:30", "13:00-15:00"],
            }
        },
        "agency": [
            {
                "code": "a",
                "name": "Agency A",
                "prefix": "A",
                "counters": [1],
                "service": [{"code": "s1", "name": "Layanan 1"}],
            },
            {
                "code": "b",
                "name": "Agency B",
                "prefix": "B",
                "counters": [2],
                "service": [{"code": "s2", "name": "Layanan 2"}],
            },
        ],
    }


@pytest.fixture
def bad_hall(tmp_path):
    """Write a mutated minimal hall and return the ConfigError it raises."""

    def run(mutate) -> ConfigError:
        data = copy.deepcopy(minimal_hall())
        mutate(data)
        path = write_toml(tmp_path / "hall.toml", data)
        with pytest.raises(ConfigError) as info:
            load_hall(path)
        msg = str(info.value)
        assert str(path) in msg, msg
        assert info.value.path == str(path)
        return info.value

    return run


def contrast_with_white(colour: str) -> float:
    """WCAG 2.x contrast ratio between ``colour`` ("#rrggbb") and white."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


@pytest.fixture(scope="module")
def hall() -> Hall:  # the bundled hall (overrides the conftest test hall in this module)
    return load_hall(default_hall_config())


# ---------------------------------------------------------------------------------------------
# the bundled hall


def test_minimal_hall_is_valid(tmp_path):
    h = load_hall(write_toml(tmp_path / "hall.toml", minimal_hall()))
    assert [a.code for a in h.agencies] == ["a", "b"]
    assert h.format_number("A", 7) == "A-007"


def test_bundled_hall_loads(hall):
    assert hall.name == "Mal Pelayanan Publik Kota Tangerang"
    assert hall.short_name == "MPP Kota Tangerang"
    assert hall.city == "Kota Tangerang"
    assert "DPMPTSP" in hall.operator
    assert hall.timezone == "Asia/Jakarta"
    assert hall.format_number("K", 12) == "K-012"
    assert hall.issue_early_minutes == 15
    assert hall.max_recalls == 3
    assert len(hall.agencies) == 18  # 17 partner agencies + DPMPTSP
    assert len(hall.services) >= 60
    assert hall.find_agency("dpmptsp") is not None


def test_bundled_prefixes_unique_and_readable(hall):
    prefixes = [a.prefix for a in hall.agencies]
    assert len(set(prefixes)) == len(prefixes)
    assert not set(prefixes) & {"I", "O", "Q"}
    assert all(re.fullmatch(r"[A-Z]", p) for p in prefixes)
    assert hall.agency("disdukcapil").prefix == "K"
    assert hall.agency("polres").prefix == "A"
    assert hall.agency("dpmptsp").prefix == "U"


def test_bundled_counters(hall):
    numbers = [c.number for c in hall.counters]
    assert len(set(numbers)) == len(numbers)
    for c in hall.counters:
        assert c.service_codes, f"loket {c.number} serves nothing"
        agency = hall.agency(c.agency_code)
        assert set(c.service_codes) <= set(agency.service_codes)
    for s in hall.services:
        assert hall.counters_serving(s.code), f"no counter serves {s.code}"
    assert len(hall.agency("disdukcapil").counter_codes) == 4
    assert len(hall.agency("polres").counter_codes) == 2
    sim_counters = hall.counters_serving("sim-perpanjangan")
    assert any(c.service_codes == ("sim-perpanjangan",) for c in sim_counters)


def test_bundled_spoken_names_spell_acronyms(hall):
    for a in hall.agencies:
        assert a.spoken_name.strip(), a.code
        assert a.short_name.strip(), a.code
        for word in a.spoken_name.split():
            # an all-capitals word longer than one letter would be read as a word by espeak
            spelled = not re.fullmatch(r"[A-Z]{2,}", word)
            assert spelled, f"{a.code}: spell '{word}' letter by letter"
        assert "/" not in a.spoken_name
    assert hall.agency("atr-bpn").spoken_name == "A T R B P N"
    assert hall.agency("pdam").spoken_name == "P D A M"
    assert hall.agency("bjb").spoken_name == "Bank B J B"
    assert hall.agency("bnn").spoken_name == "B N N"


def test_bundled_colours_readable_with_white_text(hall):
    colours = [a.colour.lower() for a in hall.agencies]
    assert len(set(colours)) == len(colours), "agency colours should be distinct"
    for a in hall.agencies:
        ratio = contrast_with_white(a.colour)
        assert ratio >= 4.5, f"{a.code} colour {a.colour}: contrast {ratio:.2f} < 4.5"


def test_contrast_helper():
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)


def test_bundled_service_facts(hall):
    assert hall.service("skck-baru").target_wait_minutes == 15
    assert hall.service("kartu-ak1").target_wait_minutes == 15
    assert hall.service("pendaftaran-perkara").target_wait_minutes == 45
    assert hall.service("sim-perpanjangan").quota == 50
    assert hall.service("pdam-pasang-baru").agency_code == "pdam"
    assert hall.service("pln-pasang-baru").agency_code == "pln"
    dukcapil_cap = sum(s.quota for s in hall.services_of("disdukcapil"))
    assert 0 < dukcapil_cap <= 400
    assert all(s.quota > 0 for s in hall.services_of("disdukcapil"))
    assert all(s.name and s.name_en for s in hall.services)
    assert hall.service("informasi-mpp").quota == 0  # default: unlimited


def test_bundled_unconfirmed_facts_are_marked():
    text = default_hall_config().read_text("utf-8")
    marks = [line for line in text.splitlines() if line.strip().startswith("# unconfirmed:")]
    assert len(marks) >= 2
    bpkd = text[text.index('code = "bpkd"') :]
    assert "# unconfirmed:" in bpkd[: bpkd.index("[[agency]]")]
    five_yearly = text.index('code = "pajak-5-tahunan"')
    assert "# unconfirmed:" in text[five_yearly - 300 : five_yearly]


def test_bundled_hours(hall):
    hours = hall.service("ktp-el").hours
    assert [s.label() for s in hours.days[0]] == ["08.00-15.00"]
    assert [s.label() for s in hours.days[4]] == ["08.00-11.30", "13.00-15.00"]
    assert hours.days[5] == () and hours.days[6] == ()
    assert date(2026, 12, 25) in hours.closed_dates
    assert date(2027, 1, 1) in hours.closed_dates


# ---------------------------------------------------------------------------------------------
# opening hours: Friday prayer break and closed dates


@pytest.fixture
def week() -> WeeklyHours:
    cfg = HoursCfg(
        mon=["08:00-15:00"],
        tue=["08:00-15:00"],
        wed=["08:00-15:00"],
        thu=["08:00-15:00"],
        fri=["08:00-11:30", "13:00-15:00"],
    )
    return cfg.build(frozenset({date(2026, 12, 25)}))


def at(y, mo, d, h, mi) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=JKT)


def test_friday_break(week):
    fri = (2026, 11, 27)
    assert date(*fri).weekday() == 4
    assert week.is_open(at(*fri, 8, 0))
    assert week.is_open(at(*fri, 11, 29))
    assert not week.is_open(at(*fri, 11, 30))  # end is exclusive
    assert not week.is_open(at(*fri, 12, 15))
    assert week.is_open(at(*fri, 13, 0))
    assert not week.is_open(at(*fri, 15, 0))
    assert week.next_opening(at(*fri, 12, 15)) == at(*fri, 13, 0)
    assert week.next_opening(at(*fri, 12, 15), early_minutes=15) == at(*fri, 12, 45)


def test_early_issuing_opens_early_but_closes_on_time(week):
    fri = (2026, 11, 27)
    assert not week.is_open(at(*fri, 7, 44), early_minutes=15)
    assert week.is_open(at(*fri, 7, 45), early_minutes=15)
    assert week.is_open(at(*fri, 12, 50), early_minutes=15)
    assert not week.is_open(at(*fri, 12, 40), early_minutes=15)
    assert week.is_open(at(*fri, 11, 20), early_minutes=15)
    assert week.is_open(at(*fri, 14, 55), early_minutes=15)
    assert not week.is_open(at(*fri, 15, 0), early_minutes=15)


def test_after_friday_closing_next_opening_is_monday(week):
    nxt = week.next_opening(at(2026, 11, 27, 15, 0))
    assert nxt == at(2026, 11, 30, 8, 0)
    assert nxt.tzinfo is JKT
    assert not week.is_open(at(2026, 11, 28, 10, 0))  # Saturday


def test_closed_date(week):
    christmas = (2026, 12, 25)  # a Friday
    assert not week.is_open(at(*christmas, 9, 0))
    assert week.spans_on(date(*christmas)) == ()
    # from Thursday after closing: skip the holiday and the weekend
    assert week.next_opening(at(2026, 12, 24, 16, 0)) == at(2026, 12, 28, 8, 0)
    assert week.next_opening(at(2026, 12, 24, 16, 0), early_minutes=15) == at(2026, 12, 28, 7, 45)
    assert week.is_open(at(2026, 12, 18, 9, 0))  # the Friday before is a normal day


def test_never_open_has_no_next_opening():
    never = WeeklyHours(days=((),) * 7)
    assert not never.is_open(at(2026, 11, 25, 9, 0))
    assert never.next_opening(at(2026, 11, 25, 9, 0)) is None


def test_bundled_hall_friday_and_holiday(hall):
    hours = hall.service("skck-baru").hours
    assert not hours.is_open(at(2026, 11, 27, 12, 0), early_minutes=hall.issue_early_minutes)
    assert not hours.is_open(at(2026, 12, 25, 9, 0))
    assert hours.next_opening(at(2026, 12, 31, 16, 0)) == at(2027, 1, 4, 8, 0)  # skips 1 Jan


# ---------------------------------------------------------------------------------------------
# station configs


def test_station_examples_exist():
    names = {p.name for p in STATION_EXAMPLES}
    assert {
        "kiosk.example.toml",
        "display.example.toml",
        "counter-7.example.toml",
        "kiosk-network-printer.example.toml",
    } <= names


@pytest.mark.parametrize("path", STATION_EXAMPLES, ids=lambda p: p.name)
def test_station_example_validates(path, hall):
    station = load_station(path)
    check_station_against_hall(station, hall, path)


def test_station_examples_content(hall):
    kiosk = load_station(bundled_config("stations", "kiosk.example.toml"))
    assert kiosk.printer.backend == "usb"
    net = load_station(bundled_config("stations", "kiosk-network-printer.example.toml"))
    assert net.printer.backend == "network" and net.printer.host
    display = load_station(bundled_config("stations", "display.example.toml"))
    assert display.display.agencies
    counter = load_station(bundled_config("stations", "counter-7.example.toml"))
    assert counter.counter.counter == "7"
    assert hall.find_counter("7") is not None
    for p in STATION_EXAMPLES:
        assert "postgresql+psycopg://" in p.read_text("utf-8")


def test_no_station_file_means_defaults():
    station = load_station(None)
    assert station.printer.backend == "preview"
    assert station.db == ""


@pytest.mark.parametrize(
    "data, where, problem",
    [
        ({"printer": {"backend": "network"}}, "printer", "needs 'host'"),
        ({"printer": {"backend": "usb"}}, "printer", "usb_vendor"),
        ({"printer": {"backend": "laser"}}, "printer.backend", "'preview'"),
        ({"display": {"poll_ms": 1000}}, "display.poll_ms", "250"),
        ({"kiosk": {"idle_secs": 30}}, "kiosk.idle_secs", "unknown key"),
    ],
)
def test_bad_station(tmp_path, data, where, problem):
    path = write_toml(tmp_path / "station.toml", data)
    with pytest.raises(ConfigError) as info:
        load_station(path)
    msg = str(info.value)
    assert str(path) in msg and f"{where}:" in msg and problem in msg, msg


def test_station_against_hall(tmp_path, hall):
    path = write_toml(
        tmp_path / "station.toml",
        {
            "kiosk": {"agencies": ["dukcapil"]},
            "display": {"counters": ["99"]},
            "counter": {"counter": "0"},
        },
    )
    station = load_station(path)
    with pytest.raises(ConfigError) as info:
        check_station_against_hall(station, hall, path)
    msg = str(info.value)
    assert str(path) in msg
    assert "kiosk.agencies: unknown agency 'dukcapil'" in msg
    assert "display.counters: unknown counter '99'" in msg
    assert "counter.counter: unknown counter '0'" in msg


# ---------------------------------------------------------------------------------------------
# bad hall configs


def test_duplicate_agency_code(bad_hall):
    def mutate(d):
        d["agency"][1]["code"] = "a"

    msg = str(bad_hall(mutate))
    assert "agency[1] (a).code" in msg and "duplicate agency code 'a'" in msg


def test_duplicate_prefix(bad_hall):
    def mutate(d):
        d["agency"][1]["prefix"] = "A"

    msg = str(bad_hall(mutate))
    assert "agency[1] (b).prefix" in msg
    assert "prefix 'A' is already used by agency 'a'" in msg


def test_duplicate_service_code(bad_hall):
    def mutate(d):
        d["agency"][1]["service"][0]["code"] = "s1"

    msg = str(bad_hall(mutate))
    assert "agency[1] (b).service[0] (s1).code" in msg
    assert "duplicate service code 's1'" in msg and "agency 'a'" in msg


def test_duplicate_loket_number(bad_hall):
    def mutate(d):
        d["agency"][1]["counters"] = [{"number": 1}]

    msg = str(bad_hall(mutate))
    assert "agency[1] (b).counters[0]" in msg
    assert "loket 1 is already used by agency 'a'" in msg


def test_counter_with_unknown_service(bad_hall):
    def mutate(d):
        d["agency"][0]["counters"] = [{"number": 1, "services": ["s1", "s2"]}]

    msg = str(bad_hall(mutate))
    assert "agency[0] (a).counters[0].services" in msg
    assert "unknown service 's2'" in msg  # s2 belongs to agency b, not a


def test_bad_counter_number(bad_hall):
    def mutate(d):
        d["agency"][0]["counters"] = [0]

    msg = str(bad_hall(mutate))
    assert "agency[0] (a).counters[0].number" in msg and "greater than or equal to 1" in msg


def test_service_served_by_no_counter(bad_hall):
    def mutate(d):
        d["agency"][0]["service"].append({"code": "s3", "name": "Layanan 3"})
        d["agency"][0]["counters"] = [{"number": 1, "services": ["s1"]}]

    msg = str(bad_hall(mutate))
    assert "agency[0] (a).service[1] (s3)" in msg and "no counter" in msg


def test_hours_end_before_start(bad_hall):
    def mutate(d):
        d["defaults"]["hours"]["mon"] = ["16:00-08:00"]

    msg = str(bad_hall(mutate))
    assert "defaults.hours.mon" in msg and "'16:00-08:00' ends before it starts" in msg


def test_hours_overlap(bad_hall):
    def mutate(d):
        d["agency"][1]["service"][0]["hours"] = {"fri": ["08:00-12:00", "11:30-15:00"]}

    msg = str(bad_hall(mutate))
    assert "agency[1] (b).service[0] (s2).hours.fri" in msg and "overlap" in msg


@pytest.mark.parametrize("span", ["8-15", "08:00-25:00", "08:00"])
def test_hours_malformed(bad_hall, span):
    def mutate(d):
        d["defaults"]["hours"]["mon"] = [span]

    msg = str(bad_hall(mutate))
    assert "defaults.hours.mon" in msg and f"'{span}'" in msg


def test_negative_quota(bad_hall):
    def mutate(d):
        d["agency"][0]["service"][0]["quota"] = -5

    msg = str(bad_hall(mutate))
    assert "agency[0] (a).service[0] (s1).quota" in msg
    assert "greater than or equal to 0" in msg


def test_unknown_key(bad_hall):
    def mutate(d):
        d["agency"][0]["service"][0]["qouta"] = 10

    msg = str(bad_hall(mutate))
    assert "agency[0] (a).service[0] (s1).qouta" in msg and "unknown key" in msg


def test_bad_time_zone(bad_hall):
    def mutate(d):
        d["hall"]["timezone"] = "Asia/Jakata"

    msg = str(bad_hall(mutate))
    assert "hall.timezone" in msg and "unknown time zone 'Asia/Jakata'" in msg


@pytest.mark.parametrize(
    "fmt",
    [
        "{prefix}-{nomor}",  # unknown field
        "{prefix}",  # no sequence number
        "K-{seq:03d}",  # same letter for every agency
        "{seq[0]}{prefix}",
        "{prefix.x}{seq}",
        "{prefix}-{seq",  # unbalanced brace
        "{0}{seq}",
    ],
)
def test_bad_number_format(bad_hall, fmt):
    def mutate(d):
        d["hall"]["number_format"] = fmt

    msg = str(bad_hall(mutate))
    assert "hall.number_format" in msg and "{prefix} and {seq}" in msg


@pytest.mark.parametrize("letter", ["O", "I", "Q"])
def test_prefix_that_reads_like_a_digit(bad_hall, letter):
    def mutate(d):
        d["agency"][1]["prefix"] = letter

    msg = str(bad_hall(mutate))
    assert "agency[1] (b).prefix" in msg and "reads like 1 or 0" in msg


def test_lowercase_prefix(bad_hall):
    def mutate(d):
        d["agency"][1]["prefix"] = "k"

    msg = str(bad_hall(mutate))
    assert "agency[1] (b).prefix" in msg and "pattern" in msg


def test_several_problems_reported_together(bad_hall):
    def mutate(d):
        d["agency"][1]["code"] = "a"
        d["agency"][1]["prefix"] = "A"
        d["agency"][1]["counters"] = [1]

    err = bad_hall(mutate)
    assert len(err.problems) == 3


def test_invalid_toml_syntax(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_text('[hall]\nname = "MPP Uji\ncity = "Kota Uji"\n', "utf-8")
    with pytest.raises(ConfigError) as info:
        load_hall(path)
    msg = str(info.value)
    assert str(path) in msg and "not valid TOML" in msg and "line 2" in msg


def test_missing_file(tmp_path):
    path = tmp_path / "nope" / "hall.toml"
    with pytest.raises(ConfigError) as info:
        load_hall(path)
    msg = str(info.value)
    assert str(path) in msg and "file not found" in msg


def test_missing_section(bad_hall):
    def mutate(d):
        del d["hall"]

    msg = str(bad_hall(mutate))
    assert "hall: Field required" in msg
