"""Hall files for tests and benchmarks, spelled out once (tests/conftest.py and bench/ import them):
halls open all day, as the dict a hall TOML file parses to, and ``to_toml`` to write one for a real
`mpp` run. Test-only: the product never imports this."""

from __future__ import annotations

import json
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def all_day() -> dict[str, list[str]]:
    """Opening hours of a hall that never closes (tests run at any hour)."""
    return {d: ["00:00-23:59"] for d in DAYS}


def agency(code: str, name: str, prefix: str, counters: list[Any], services: list[tuple[str, str]],
           **extra: Any) -> dict[str, Any]:
    """One [[agency]] with its [[agency.service]] tables (services: (code, name) pairs)."""
    return {"code": code, "name": name, **extra, "prefix": prefix, "counters": counters,
            "service": [{"code": c, "name": n} for c, n in services]}


def all_day_hall(agencies: list[dict[str, Any]], name: str = "MPP Uji", city: str = "Kota Uji",
                 **defaults: Any) -> dict[str, Any]:
    return {"hall": {"name": name, "city": city}, "defaults": {"hours": all_day(), **defaults},
            "agency": agencies}


def one_counter_hall() -> dict[str, Any]:
    """One agency, one counter (7), one service (ktp), open all day."""
    return all_day_hall([agency("dukcapil", "Disdukcapil", "K", [7], [("ktp", "KTP-el")])])


def bench_hall() -> dict[str, Any]:
    """The web bench's hall: Disdukcapil (counters 1-4: ktp, kk) and PDAM (counter 9: air)."""
    return all_day_hall([agency("dukcapil", "Disdukcapil", "K", [1, 2, 3, 4], [("ktp", "KTP-el"), ("kk", "KK")]),
                         agency("pdam", "PDAM", "P", [9], [("air", "Bayar Air")])],
                        name="MPP Bench", city="Bench")


# ------------------------------------------------------------------ a small TOML writer


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else json.dumps(k)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a TOML basic string
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _is_tables(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _table(path: str, d: dict[str, Any], out: list[str], array: bool = False) -> None:
    if path:
        out.append(f"[[{path}]]" if array else f"[{path}]")
    for k, v in d.items():
        if not isinstance(v, dict) and not _is_tables(v):
            out.append(f"{_key(k)} = {_value(v)}")
    for k, v in d.items():
        sub = f"{path}.{_key(k)}" if path else _key(k)
        if isinstance(v, dict):
            _table(sub, v, out)
        elif _is_tables(v):
            for item in v:
                _table(sub, item, out, array=True)


def to_toml(data: dict[str, Any]) -> str:
    """``data`` (a hall file as a dict) as TOML text; tomllib reads it back to the same dict."""
    out: list[str] = []
    _table("", data, out)
    return "\n".join(out) + "\n"
