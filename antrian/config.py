"""Load and validate the hall catalogue (config/hall.toml) and station configs, once, at start.

Every problem is reported as ``ConfigError`` naming the file, the key path and what is wrong.
The result is a frozen ``antrian.domain.catalogue.Hall`` (and ``StationConfig`` for a station).

Over 400 lines, on purpose: one pydantic model per section of hall.toml and of the station file,
with their cross-checks and the public-holiday calendar they name, kept in one module so every
configuration error is located and worded the same way (``_loc``, ``_validate``).
"""

from __future__ import annotations

import re
import string
import tomllib
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from antrian.config_base import ConfigError as ConfigError, HolidayCalendar as HolidayCalendar  # moved: no pydantic there
from antrian.domain.booking import BookingPolicy
from antrian.domain.catalogue import (
    WEEKDAYS,
    Agency,
    ClosedDays,
    Counter,
    Hall,
    PriorityPolicy,
    Service,
    Span,
    WeeklyHours,
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


_M = TypeVar("_M", bound=BaseModel)


_SPAN_RE = re.compile(r"^(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})$")


def parse_span(text: str) -> Span:
    m = _SPAN_RE.match(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a time range like '08:00-15:00'")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    try:
        start, end = time(h1, m1), time(h2, m2)
    except ValueError:
        raise ValueError(f"'{text}' has an impossible time") from None
    if end <= start:
        raise ValueError(f"'{text}' ends before it starts")
    return Span(start, end)


class HoursCfg(_Strict):
    """Opening hours per weekday: a list of 'HH:MM-HH:MM' ranges; [] or missing = closed."""

    mon: list[str] = []
    tue: list[str] = []
    wed: list[str] = []
    thu: list[str] = []
    fri: list[str] = []
    sat: list[str] = []
    sun: list[str] = []

    @field_validator("*", mode="before")
    @classmethod
    def _one_string_is_a_list(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [s for s in v.split(",") if s.strip()]
        return v

    @field_validator("*")
    @classmethod
    def _ranges(cls, v: list[str]) -> list[str]:
        spans = sorted((parse_span(s) for s in v), key=lambda s: s.start)
        for a, b in zip(spans, spans[1:]):
            if b.start < a.end:
                raise ValueError(f"ranges {a.label()} and {b.label()} overlap")
        return v

    def build(self, closed_dates: "ClosedDays | frozenset[date]") -> WeeklyHours:
        days = tuple(
            tuple(sorted((parse_span(s) for s in getattr(self, d)), key=lambda s: s.start))
            for d in WEEKDAYS
        )
        return WeeklyHours(days=days, closed_dates=closed_dates)


Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
# Lengths of the database columns the config values end up in (antrian/storage/tables.py):
# tickets.number String(16), tickets.priority String(20). Checked here so a wide value is a config
# error, not a failed INSERT on PostgreSQL (issue 10, 14).
NUMBER_WIDTH = 16
GroupCode = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,19}$")]
MAX_SEQ = 99_999  # the widest sequence number a day can reach (quota at most 99 999 per prefix)
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


class ServiceDefaults(_Strict):
    quota: Annotated[int, Field(ge=0, le=MAX_SEQ)] | None = None
    service_minutes: Annotated[float, Field(gt=0, le=600)] | None = None
    target_wait_minutes: Annotated[int, Field(ge=1, le=1440)] | None = None
    hours: HoursCfg | None = None


Requirement = Annotated[str, Field(min_length=1, max_length=80)]


class ServiceCfg(ServiceDefaults):
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=80)]
    name_en: str = ""
    priority_allowed: bool = True
    # The published service standard (UU 25/2009 art. 21): what to bring, what it costs, how long
    # the service takes. Optional; the ticket prints the requirements when there are any.
    requirements: Annotated[list[Requirement], Field(max_length=12)] = []  # persyaratan, short lines
    fee: Annotated[str, Field(max_length=80)] = ""  # biaya: "Gratis", "Rp30.000"
    typical_time: Annotated[str, Field(max_length=40)] = ""  # waktu: "15 menit", "3 hari kerja"


class CounterCfg(_Strict):
    number: Annotated[int, Field(ge=1, le=999)]
    name: str = ""
    services: list[str] = []  # empty = every service of the agency


class AgencyCfg(ServiceDefaults):
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=120)]
    short_name: str = ""
    spoken_name: str = ""
    prefix: Annotated[str, Field(pattern=r"^[A-Z]$")]
    colour: Colour = "#2255aa"
    counters: list[CounterCfg] = Field(min_length=1)  # TOML: 3 or {number = 3, services = [...]}
    service: list[ServiceCfg] = Field(min_length=1)

    @field_validator("counters", mode="before")
    @classmethod
    def _plain_numbers(cls, v: Any) -> Any:
        # A bare number is short for {number = N}; validate both forms through CounterCfg so a
        # bad number (0, 1000) is reported as a config error at counters[i].number.
        if isinstance(v, list):
            return [{"number": c} if isinstance(c, int) and not isinstance(c, bool) else c for c in v]
        return v


class PriorityCfg(_Strict):
    groups: list[GroupCode] = ["lansia", "disabilitas", "ibu-hamil", "anak"]
    ratio: Annotated[int, Field(ge=1, le=100)] = 2
    max_wait_minutes: Annotated[int, Field(ge=0, le=1440)] = 60


class HallCfg(_Strict):
    name: str
    short_name: str = ""
    city: str
    operator: str = ""
    timezone: str = "Asia/Jakarta"
    number_format: str = "{prefix}-{seq:03d}"
    number_reading: Literal["words", "digits"] = "words"  # "K dua belas" / "K nol satu dua"
    running_text: str = "Selamat Datang di Mal Pelayanan Publik"
    ticket_footer: str = "Terima kasih atas kunjungan Anda"
    public_url: str = ""
    issue_early_minutes: Annotated[int, Field(ge=0, le=180)] = 15
    max_recalls: Annotated[int, Field(ge=0, le=20)] = 3
    # Whole-hall closed days: the public calendar of ``public_holidays`` (a country for the
    # `holidays` library; "" = none) with cuti bersama when ``closed_on_cuti_bersama``; then the
    # hall's own ``closed_dates`` (closed) and ``open_dates`` (open although the calendar says not).
    public_holidays: str = "ID"
    closed_on_cuti_bersama: bool = True
    closed_dates: list[date] = []
    open_dates: list[date] = []

    @field_validator("public_holidays")
    @classmethod
    def _country(cls, v: str) -> str:
        if v:
            if not _known_country(v.upper()):
                raise ValueError(f"'{v}' is not a country code the holidays library knows (e.g. 'ID')")
        return v.upper()

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        if len(v) > 64:
            raise ValueError(f"time zone '{v[:40]}...' is {len(v)} characters: use an IANA name like 'Asia/Jakarta'")
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown time zone '{v}' (use an IANA name like 'Asia/Jakarta')") from None
        return v

    @field_validator("number_format")
    @classmethod
    def _fmt(cls, v: str) -> str:
        if len(v) > 40:
            raise ValueError(f"'{v[:40]}...' is too long: a ticket number is at most {NUMBER_WIDTH} characters")
        try:
            parts = list(string.Formatter().parse(v))
            fields = {f for _, f, _, _ in parts if f is not None}
            # a width like {seq:999999999d} would build a huge string before any length check
            if any(int(w) > NUMBER_WIDTH for _, _, spec, _ in parts if spec for w in re.findall(r"\d+", spec)):
                raise ValueError(f"a field is wider than {NUMBER_WIDTH} characters")
            v.format(prefix="K", seq=12)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError) as e:
            raise ValueError(f"'{v}' must use only {{prefix}} and {{seq}} ({e})") from None
        if fields != {"prefix", "seq"}:
            raise ValueError(f"'{v}' must contain {{prefix}} and {{seq}} and no other fields")
        try:
            widest = v.format(prefix="K", seq=MAX_SEQ)
        except (ValueError, TypeError) as e:
            raise ValueError(f"'{v}': {e}") from None
        if len(widest) > NUMBER_WIDTH:
            raise ValueError(f"'{v}' makes numbers like '{widest[:30]}' ({len(widest)} characters): a ticket "
                             f"number is at most {NUMBER_WIDTH} characters")
        return v

    @field_validator("public_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if v and not re.match(r"^https?://", v):
            raise ValueError("must start with http:// or https://")
        return v


class WebCfg(_Strict):
    """[web]: the hall web server (`mpp serve`): where it listens and how phones reach it."""

    host: str = "0.0.0.0"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    # Host name or IP address phones use to reach the server (e.g. "192.168.1.10" or
    # "antrian.mpp.go.id"). When set and [hall] public_url is empty, tickets point to
    # http://<address>:<port>.
    address: str = ""


class NotifyCfg(_Strict):
    """[notify]: messages to citizens who left a number on their ticket page ("Beri tahu saya")."""

    channel: Literal["none", "whatsapp", "sms"] = "none"
    ahead: Annotated[int, Field(ge=1, le=50)] = 5  # message when this many people (or fewer) are ahead
    whatsapp_url: str = "https://graph.facebook.com/v20.0/{phone_number_id}/messages"
    whatsapp_phone_number_id: str = ""
    whatsapp_token: str = ""
    sms_url: str = ""
    sms_token: str = ""
    timeout_seconds: Annotated[float, Field(gt=0, le=60)] = 10.0
    max_attempts: Annotated[int, Field(ge=1, le=20)] = 5
    retry_seconds: Annotated[float, Field(gt=0, le=3600)] = 10.0  # first retry; doubles each time

    @model_validator(mode="after")
    def _needs(self) -> "NotifyCfg":
        if self.channel == "whatsapp" and not (self.whatsapp_token and self.whatsapp_phone_number_id):
            raise ValueError("channel 'whatsapp' needs 'whatsapp_token' and 'whatsapp_phone_number_id'")
        if self.channel == "sms" and not re.match(r"^https?://", self.sms_url):
            raise ValueError("channel 'sms' needs 'sms_url' (http:// or https://)")
        return self


_CLOCK_RE = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def parse_clock(text: str) -> time:
    """'16:00' or '16.00' -> time(16, 0); ValueError with the sentence for the user otherwise."""
    m = _CLOCK_RE.match(text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError(f"'{text}' is not a time of day like '16:00'")
    return time(int(m.group(1)), int(m.group(2)))


Minutes = Annotated[int, Field(ge=0, le=240)]


class BookingCfg(_Strict):
    """[booking]: bookings ("antrean online") on the web pages and check-in at the kiosk. The
    numbers become an ``antrian.domain.booking.BookingPolicy`` (``booking_policy()``)."""

    days_ahead: Annotated[int, Field(ge=1, le=60)] = 7  # today up to this many days ahead
    opens_at: str = "16:00"  # the newest day opens at this local time
    slot_minutes: Annotated[int, Field(ge=5, le=240)] = 30
    online_share: Annotated[float, Field(ge=0, le=1)] = 0.20  # of a service's walk-in quota
    default_online_quota: Annotated[int, Field(ge=0, le=MAX_SEQ)] = 40  # a service without a quota
    online_quota: dict[str, Annotated[int, Field(ge=0, le=MAX_SEQ)]] = {}  # per service code, per day
    checkin_before_minutes: Minutes = 30
    checkin_after_minutes: Minutes = 15
    max_per_person_per_day: Annotated[int, Field(ge=1, le=20)] = 3
    per_person_per_hour: Annotated[int, Field(ge=1, le=1000)] = 10  # booking tries with one NIK or phone
    per_ip_per_hour: Annotated[int, Field(ge=1, le=100_000)] = 10  # bookings (and cancels) from one address
    wrong_codes_per_ip: Annotated[int, Field(ge=1, le=1000)] = 20  # unknown codes looked up per 10 minutes
    kiosk_code_attempts: Annotated[int, Field(ge=1, le=100)] = 5  # wrong codes at one kiosk ...
    kiosk_code_seconds: Annotated[int, Field(ge=1, le=3600)] = 60  # ... within this, then it waits

    @field_validator("opens_at")
    @classmethod
    def _clock(cls, v: str) -> str:
        parse_clock(v)
        return v

    @model_validator(mode="after")
    def _window(self) -> "BookingCfg":
        if self.checkin_before_minutes + self.checkin_after_minutes < 1:
            raise ValueError("checkin_before_minutes and checkin_after_minutes are both 0: nobody could check in; "
                             "give the window at least one minute (e.g. 30 and 15)")
        return self


def booking_policy(cfg: BookingCfg) -> BookingPolicy:
    """The booking policy of a validated [booking] section."""
    return BookingPolicy(
        slot_minutes=cfg.slot_minutes, online_share=cfg.online_share,
        default_online_quota=cfg.default_online_quota,
        online_quotas=tuple(sorted(cfg.online_quota.items())), days_ahead=cfg.days_ahead,
        opens_at=parse_clock(cfg.opens_at), checkin_before=cfg.checkin_before_minutes,
        checkin_after=cfg.checkin_after_minutes, max_per_person_per_day=cfg.max_per_person_per_day,
        per_person_per_hour=cfg.per_person_per_hour, per_ip_per_hour=cfg.per_ip_per_hour,
        wrong_codes_per_ip=cfg.wrong_codes_per_ip, code_attempts=cfg.kiosk_code_attempts,
        code_attempts_seconds=cfg.kiosk_code_seconds,
    )


def load_booking_policy(path: Path | str) -> BookingPolicy:
    """The [booking] policy of a hall file (validated like the rest of it)."""
    return booking_policy(load_hall_file(path).booking)


class HallFile(_Strict):
    hall: HallCfg
    priority: PriorityCfg = PriorityCfg()
    defaults: ServiceDefaults = ServiceDefaults()
    agency: list[AgencyCfg] = Field(min_length=1)
    web: WebCfg = WebCfg()
    notify: NotifyCfg = NotifyCfg()
    booking: BookingCfg = BookingCfg()


_FALLBACK = dict(quota=0, service_minutes=10.0, target_wait_minutes=30)


def _loc(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    """('agency', 3, 'service', 1, 'quota') -> 'agency[3] (polres).service[1] (skck-baru).quota'."""
    out: list[str] = []
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            label = f"[{part}]"
            try:
                node = node[part]
                if isinstance(node, dict) and "code" in node:
                    label += f" ({node['code']})"
            except (IndexError, KeyError, TypeError):
                node = None
            out.append(label)
        else:
            if part in ("int", "CounterCfg"):  # union branch names from pydantic
                continue
            out.append(("." if out else "") + str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return "".join(out)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except PermissionError:
        raise ConfigError(path, ["cannot read the file (permission denied)"]) from None
    except IsADirectoryError:
        raise ConfigError(path, ["is a folder, not a TOML file"]) from None
    except OSError as e:
        raise ConfigError(path, [f"cannot read the file ({e.strerror or e})"]) from None
    except UnicodeDecodeError:
        raise ConfigError(path, ["is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(path, [f"not valid TOML: {e}"]) from None


def _validate(model: type[_M], data: dict[str, Any], path: Path) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key (check the spelling)"
            where = _loc(err["loc"], data) or "(top level)"
            problems.append(f"{where}: {msg}")
        raise ConfigError(path, problems) from None


def load_hall(path: Path | str) -> Hall:
    return build_hall(load_hall_file(path), path)


def load_hall_file(path: Path | str) -> HallFile:
    """The validated hall file itself (for settings the Hall object does not carry: [web], [notify])."""
    path = Path(path)
    return _validate(HallFile, _read_toml(path), path)


def web_public_url(web: WebCfg) -> str:
    return f"http://{web.address}:{web.port}" if web.address else ""


def build_hall(cfg: HallFile, path: Path | str = "<config>") -> Hall:
    problems: list[str] = []
    closed = closed_days(cfg.hall)

    agencies: list[Agency] = []
    services: list[Service] = []
    counters: list[Counter] = []
    seen_agency: dict[str, int] = {}
    seen_prefix: dict[str, str] = {}
    seen_service: dict[str, str] = {}
    seen_counter: dict[int, str] = {}

    for ai, a in enumerate(cfg.agency):
        where = f"agency[{ai}] ({a.code})"
        if a.code in seen_agency:
            problems.append(f"{where}.code: duplicate agency code '{a.code}'")
        seen_agency[a.code] = ai
        if a.prefix in seen_prefix:
            problems.append(
                f"{where}.prefix: prefix '{a.prefix}' is already used by agency '{seen_prefix[a.prefix]}'"
            )
        seen_prefix[a.prefix] = a.code
        if a.prefix in ("I", "O", "Q"):
            problems.append(f"{where}.prefix: '{a.prefix}' reads like 1 or 0; choose another letter")

        svc_codes: list[str] = []
        for si, s in enumerate(a.service):
            swhere = f"{where}.service[{si}] ({s.code})"
            if s.code in seen_service:
                problems.append(
                    f"{swhere}.code: duplicate service code '{s.code}' (also in agency '{seen_service[s.code]}')"
                )
            seen_service[s.code] = a.code
            svc_codes.append(s.code)

            def pick(key: str) -> Any:
                for layer in (s, a, cfg.defaults):
                    v = getattr(layer, key)
                    if v is not None:
                        return v
                return _FALLBACK.get(key)

            hours_cfg = pick("hours")
            if hours_cfg is None:
                problems.append(f"{swhere}.hours: no opening hours here, in the agency or in [defaults]")
                hours = WeeklyHours(days=((),) * 7)
            else:
                hours = hours_cfg.build(closed)
            services.append(
                Service(
                    code=s.code,
                    name=s.name,
                    name_en=s.name_en or s.name,
                    agency_code=a.code,
                    quota=pick("quota"),
                    service_minutes=float(pick("service_minutes")),
                    target_wait_minutes=int(pick("target_wait_minutes")),
                    hours=hours,
                    priority_allowed=s.priority_allowed,
                    requirements=tuple(s.requirements),
                    fee=s.fee,
                    typical_time=s.typical_time,
                )
            )

        ctr_codes: list[str] = []
        for ci, c in enumerate(a.counters):
            cc = c
            cwhere = f"{where}.counters[{ci}]"
            if cc.number in seen_counter:
                problems.append(
                    f"{cwhere}: loket {cc.number} is already used by agency '{seen_counter[cc.number]}'"
                )
            seen_counter[cc.number] = a.code
            for sc in cc.services:
                if sc not in svc_codes:
                    problems.append(
                        f"{cwhere}.services: unknown service '{sc}' (services of {a.code}: {', '.join(svc_codes)})"
                    )
            code = str(cc.number)
            ctr_codes.append(code)
            counters.append(
                Counter(
                    code=code,
                    number=cc.number,
                    name=cc.name or f"Loket {cc.number}",
                    agency_code=a.code,
                    service_codes=tuple(cc.services or svc_codes),
                )
            )
        served = {sc for c in counters if c.agency_code == a.code for sc in c.service_codes}
        for si, s in enumerate(a.service):
            if s.code not in served:
                problems.append(
                    f"{where}.service[{si}] ({s.code}): no counter of {a.code} serves this service"
                )
        agencies.append(
            Agency(
                code=a.code,
                name=a.name,
                short_name=a.short_name or a.name,
                spoken_name=a.spoken_name or a.short_name or a.name,
                prefix=a.prefix,
                colour=a.colour,
                service_codes=tuple(svc_codes),
                counter_codes=tuple(ctr_codes),
            )
        )

    for code in cfg.booking.online_quota:
        if code not in seen_service:
            problems.append(f"booking.online_quota.{code}: unknown service '{code}' (see the [[agency.service]] codes)")
    if problems:
        raise ConfigError(path, problems)
    h = cfg.hall
    return Hall(
        name=h.name,
        short_name=h.short_name or h.name,
        city=h.city,
        operator=h.operator,
        timezone=h.timezone,
        number_format=h.number_format,
        running_text=h.running_text,
        ticket_footer=h.ticket_footer,
        public_url=(h.public_url or web_public_url(cfg.web)).rstrip("/"),
        issue_early_minutes=h.issue_early_minutes,
        max_recalls=h.max_recalls,
        priority=PriorityPolicy(
            groups=tuple(cfg.priority.groups),
            ratio=cfg.priority.ratio,
            max_wait_minutes=cfg.priority.max_wait_minutes,
        ),
        agencies=tuple(agencies),
        services=tuple(services),
        counters=tuple(counters),
        number_reading=h.number_reading,
        closed_days=closed,
    )


def closed_days(h: HallCfg) -> ClosedDays:
    """The hall's closed days: the ``holidays`` library's calendar for ``public_holidays`` (in
    Indonesian; "government" days are cuti bersama), with the hall's own closures and openings."""
    calendar: Any = {}
    if h.public_holidays:
        language = "id" if h.public_holidays == "ID" else None
        categories = ("public", "government") if h.closed_on_cuti_bersama else ("public",)
        calendar = HolidayCalendar(h.public_holidays, language, categories)
    own = {d: "Tutup (hari libur pelayanan MPP)" for d in h.closed_dates}
    return ClosedDays(calendar=calendar, closed=own, opened=frozenset(h.open_dates) - own.keys())


def _known_country(code: str) -> bool:
    """A country code of the holidays library. A calendar this library release already made for it
    (HolidayCalendar's cache) says yes without importing the library; else its registry is asked
    (not list_supported_countries(): that imports every country's module)."""
    if code.isascii() and code.isalpha():
        try:
            from importlib.metadata import version

            from antrian import paths

            if any((paths.data_dir() / "cache").glob(f"holidays-{version('holidays')}-{code}-*.json")):
                return True
        except Exception:  # no data dir or no metadata: ask the library
            pass
    from holidays.registry import EntityLoader

    return code in set(EntityLoader.get_country_codes())


# --------------------------------------------------------------------------------------------
# Station configs: what one PC is (which printer, which screen, which zone, which counter).


class PrinterSettings(_Strict):
    backend: Literal["preview", "network", "usb", "serial", "file", "cups", "win32raw", "dummy"] = (
        "preview"
    )
    paper: Literal["58mm", "80mm"] = "80mm"
    profile: str = "TM-T88III"  # python-escpos capability profile
    host: str = ""
    port: Annotated[int, Field(ge=1, le=65535)] = 9100
    timeout: Annotated[float, Field(gt=0, le=30)] = 3.0
    usb_vendor: Annotated[int, Field(ge=0, le=0xFFFF)] = 0
    usb_product: Annotated[int, Field(ge=0, le=0xFFFF)] = 0
    serial_port: str = "/dev/ttyUSB0"
    baudrate: int = 9600
    device: str = "/dev/usb/lp0"
    cups_name: str = ""
    win_name: str = ""
    preview_dir: str = ""  # default: <user data dir>/tickets
    preview_show: bool = False  # open a window with each previewed ticket
    logo: str = ""  # path, or a file name under assets/
    check_status: bool = True

    @model_validator(mode="after")
    def _needs(self) -> "PrinterSettings":
        if self.backend == "network" and not self.host:
            raise ValueError("backend 'network' needs 'host' (the printer's IP address)")
        if self.backend == "usb" and not (self.usb_vendor and self.usb_product):
            raise ValueError("backend 'usb' needs 'usb_vendor' and 'usb_product' (see `lsusb`)")
        if self.backend == "cups" and not self.cups_name:
            raise ValueError("backend 'cups' needs 'cups_name'")
        if self.backend == "win32raw" and not self.win_name:
            raise ValueError("backend 'win32raw' needs 'win_name'")
        return self


class KioskSettings(_Strict):
    admin_pin_hash: str = ""  # scrypt hash made by `mpp kiosk-pin`; empty = default PIN 0000 (demo)
    idle_seconds: Annotated[int, Field(ge=10, le=600)] = 60
    result_seconds: Annotated[int, Field(ge=3, le=120)] = 10
    agencies: list[str] = []  # empty = all
    language: Literal["id", "en"] = "id"


class VoiceSettings(_Strict):
    enabled: bool = True
    language: Literal["id", "en"] = "id"
    repeat: Annotated[int, Field(ge=1, le=5)] = 1
    volume: Annotated[float, Field(ge=0, le=1)] = 1.0
    rate: Annotated[int, Field(ge=80, le=300)] = 150
    chime: bool = True


class DisplaySettings(_Strict):
    screen: Annotated[int, Field(ge=0, le=16)] = 0
    agencies: list[str] = []  # zone: empty = whole hall
    counters: list[str] = []
    poll_ms: Annotated[int, Field(ge=50, le=250)] = 200
    highlight_seconds: Annotated[int, Field(ge=1, le=60)] = 6
    history: Annotated[int, Field(ge=0, le=20)] = 6
    voice: VoiceSettings = VoiceSettings()


class CounterSettings(_Strict):
    counter: str = ""  # loket number; empty = the officer picks after login


class StationFile(_Strict):
    db: str = ""
    hall: str = ""  # path of the hall catalogue; empty = bundled default
    printer: PrinterSettings = PrinterSettings()
    kiosk: KioskSettings = KioskSettings()
    display: DisplaySettings = DisplaySettings()
    counter: CounterSettings = CounterSettings()


def load_station(path: Path | str | None) -> StationFile:
    if path is None:
        return StationFile()
    path = Path(path)
    return _validate(StationFile, _read_toml(path), path)


def check_station_against_hall(station: StationFile, hall: Hall, path: Path | str) -> None:
    problems = []
    for key, codes in (("kiosk.agencies", station.kiosk.agencies), ("display.agencies", station.display.agencies)):
        for code in codes:
            if hall.find_agency(code) is None:
                problems.append(f"{key}: unknown agency '{code}'")
    for code in station.display.counters:
        if hall.find_counter(code) is None:
            problems.append(f"display.counters: unknown counter '{code}'")
    if station.counter.counter and hall.find_counter(station.counter.counter) is None:
        problems.append(f"counter.counter: unknown counter '{station.counter.counter}'")
    if problems:
        raise ConfigError(path, problems)
