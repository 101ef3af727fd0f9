"""What the hall's configuration shares with the paths that must not import pydantic (`mpp issue`
with a prevalidated hall, antrian.hall_cache): the error of a wrong file and the public-holiday
calendar a Hall carries. antrian.config re-exports both."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A configuration file is wrong. ``str()`` is the message for the user."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__(f"configuration error in {self.path}: " + "; ".join(problems))



class HolidayCalendar(Mapping[date, str]):
    """One country's public calendar (date -> holiday name), made one year at a time when a day
    of that year is first asked for.

    Importing ``holidays.countries`` imports every country of the library (~40 ms and ~12 MB in
    each process: every `mpp` command and every window), so a year once made is kept in the data
    dir (``cache/holidays-*.json``, named by the library's version, the country, language and
    categories) and read from there by the next process. Without a usable data dir it is made
    in memory only. Iterating gives the days of the years made so far, like the library's own."""

    def __init__(self, country: str, language: str | None, categories: tuple[str, ...]):
        self.country, self.language, self.categories = country, language, tuple(categories)
        self._years: dict[int, dict[date, str]] = {}

    def __getstate__(self) -> dict[str, object]:
        # kept in the prevalidated hall (antrian.hall_cache) without the years made: each year
        # has its own cache file
        return {"country": self.country, "language": self.language, "categories": self.categories}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.country, self.language, self.categories = state["country"], state["language"], state["categories"]
        self._years = {}

    def _key(self) -> tuple[str, str | None, tuple[str, ...]]:
        return (self.country, self.language, self.categories)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, HolidayCalendar):
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"HolidayCalendar({self.country!r}, {self.language!r}, {self.categories!r})"

    def _year(self, year: int) -> dict[date, str]:
        days = self._years.get(year)
        if days is None:
            days = self._years[year] = self._load(year)
        return days

    def _cache_file(self, year: int) -> Path | None:
        try:
            from importlib.metadata import version

            from antrian import paths

            cats = "+".join(self.categories)
            name = f"holidays-{version('holidays')}-{self.country}-{self.language or 'default'}-{cats}-{year}.json"
            return paths.data_dir() / "cache" / name
        except Exception:  # no data dir, no metadata: no cache
            return None

    def _load(self, year: int) -> dict[date, str]:
        import json

        cache = self._cache_file(year)
        if cache is not None:
            try:
                return {date.fromisoformat(k): v for k, v in json.loads(cache.read_text(encoding="utf-8")).items()}
            except (OSError, ValueError, AttributeError):
                pass
        days = self._make(year)
        if cache is not None:
            try:
                cache.parent.mkdir(mode=0o700, exist_ok=True)
                tmp = cache.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps({d.isoformat(): n for d, n in sorted(days.items())}, ensure_ascii=False),
                               encoding="utf-8")
                os.replace(tmp, cache)
            except OSError:
                pass
        return days

    def _make(self, year: int) -> dict[date, str]:
        import holidays

        try:
            made = holidays.country_holidays(self.country, years=year, language=self.language,
                                             categories=self.categories)
        except ValueError:  # a country without a "government" (cuti bersama) category
            made = holidays.country_holidays(self.country, years=year, language=self.language)
        return {d: str(n) for d, n in made.items() if d.year == year}

    def get(self, d: object, default: Any = None) -> Any:
        if not isinstance(d, date):
            return default
        return self._year(d.year).get(d if type(d) is date else date(d.year, d.month, d.day), default)

    def __getitem__(self, d: date) -> str:
        got = self.get(d)
        if got is None:
            raise KeyError(d)
        return str(got)

    def __contains__(self, d: object) -> bool:
        return self.get(d) is not None

    def __iter__(self) -> Iterator[date]:
        for days in list(self._years.values()):
            yield from days

    def __len__(self) -> int:
        return sum(len(days) for days in self._years.values())
