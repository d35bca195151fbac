"""Demo reporting: accounts, two years of periodic reports and the DX focal points.

Everything goes through the reporting service as people would use it: a reporter
saves a draft, submits it (mostly a few days before the due date, sometimes late,
now and then never), the coordinator approves it or returns it with a comment, and
the reporter corrects and submits again. Every action is stamped with the instant it
happened, so the platform's figures (reports on time, focal points) come out of the
same records a real year would leave. The figures rise through 2024-2025 to levels
that, on the demo date, leave some targets on track, some at risk, some off track.

The same seed gives the same accounts, reports and focal points.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from dxplan.domain.account import Role, User
from dxplan.domain.dataset import DataSet, NumberType, ValuesFor
from dxplan.domain.organisation import Organisation
from dxplan.domain.period import DEFAULT_TIMEZONE, Period, PeriodKind
from dxplan.domain.plan import Plan
from dxplan.domain.submission import Status
from dxplan.domain.unit import Unit
from dxplan.domain.validation import errors
from dxplan.reporting.platform import received
from dxplan.reporting.report import Invalid, Report
from dxplan.reporting.service import Reporting
from dxplan.store import focal_points as focal_store
from dxplan.store import submissions as submission_store
from dxplan.store import users as user_store
from dxplan.store.tables import users as users_table
from dxplan.workspace import Workspace

DEMO_PASSWORD: Final = "demo-password-2025"  # every demo account's password
DEMO_AS_OF: Final = date(2025, 11, 8)  # the demo date: progress last reported in the press
ACTOR: Final = "demo"
COORDINATOR: Final = "dieuphoi"  # approves and returns reports, records focal points
CLERK: Final = "nhap-lieu"  # data-entry clerk: enters the reports of every commune and ward

_FIRST_YEAR, _LAST_YEAR = 2024, 2025
_SPAN: Final = 21  # months from January 2024 to October 2025: the trend curves' 0 → 1
_AGENCY, _WARD = "agency", "ward"  # the Vietnamese source's kinds the demo writes about
_PEOPLE: Final = 4_150_000  # residents in January 2024 (the merged city counts ≈ 4.2 M)

# Named commune and ward reporters (the others are entered by the clerk).
_LOCAL_REPORTERS: Final = ("Phường Ninh Kiều", "Phường Sóc Trăng", "Xã Châu Thành")

DEMO_ZONE: Final = ZoneInfo(DEFAULT_TIMEZONE)  # the demo is Can Tho's plan, in its zone


@dataclass(frozen=True)
class ReportsLoad:
    """What the demo loaded; `loaded` is False when accounts existed (nothing was done)."""

    users: int = 0
    expected: int = 0  # reports whose due date passed before the demo date
    approved: int = 0
    late: int = 0  # first submitted after the due date
    missing: int = 0  # due date passed, never submitted
    returned: int = 0  # returned once with a comment, then corrected
    submitted: int = 0  # submitted, not yet approved on the demo date
    drafts: int = 0
    focal_points: int = 0  # units with a named focal point on the demo date
    focal_point_records: int = 0
    loaded: bool = True


# -- randomness and text ----------------------------------------------------------------


def _rng(seed: int, *key: object) -> random.Random:
    """A random stream of its own for `key`: the same seed and key, the same numbers."""
    return random.Random("/".join(str(k) for k in (seed, *key)))


def _fold(text: str) -> str:
    """ASCII lowercase without diacritics: `Sóc Trăng` → `soc trang`."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _place_name(unit: Unit) -> str:
    """`Phường Ninh Kiều` → `Ninh Kiều`."""
    for prefix in ("Phường ", "Xã ", "Đặc khu "):
        if unit.name.startswith(prefix):
            return unit.name[len(prefix) :]
    return unit.name


def _slug(text: str, separator: str = "-") -> str:
    return separator.join("".join(c for c in w if c.isalnum()) for w in _fold(text).split())


_FAMILY: Final = (
    *("Nguyễn",) * 6,
    *("Trần", "Lê", "Phạm") * 2,
    *("Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô", "Hồ", "Dương"),
    *("Lâm", "Lý", "Thạch", "Sơn", "Châu", "Tăng", "Danh", "Kim"),
)
_MIDDLE: Final = {
    False: ("Văn", "Văn", "Minh", "Quốc", "Hữu", "Thanh", "Hoàng", "Công", "Tấn", "Trọng"),
    True: ("Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thị Kim", "Thị Thu", "Thị Mỹ", "Bích"),
}
_GIVEN: Final = {
    False: (
        *("An", "Bình", "Cường", "Dũng", "Duy", "Hải", "Hiếu", "Hùng", "Huy", "Khang"),
        *("Khoa", "Lộc", "Long", "Minh", "Nam", "Nghĩa", "Nhân", "Phúc", "Phước", "Quang"),
        *("Sang", "Tài", "Tâm", "Thắng", "Thành", "Thiện", "Toàn", "Trí", "Trung", "Tuấn"),
    ),
    True: (
        *("Anh", "Châu", "Diễm", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương"),
        *("Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương"),
        *("Quyên", "Thảo", "Thủy", "Trang", "Trinh", "Tuyết", "Vân", "Vy", "Xuân", "Yến"),
    ),
}
_MOBILE: Final = ("090", "091", "093", "094", "097", "098", "088", "083", "077", "070", "039")


def _person(rng: random.Random) -> str:
    female = rng.random() < 0.45
    return " ".join((rng.choice(_FAMILY), rng.choice(_MIDDLE[female]), rng.choice(_GIVEN[female])))


def _mail_domain(root: Unit) -> str:
    """The demo's mail domain, after the organisation's root: `cantho.gov.vn` for a
    Vietnamese province (its Vietnamese name), else a reserved example domain
    (`meherpurdistrict.example`)."""
    if root.names.vi:
        place = root.names.vi.removeprefix("Thành phố ").removeprefix("Tỉnh ")
        return f"{_slug(place, '')}.gov.vn"
    return f"{_slug(root.names.get('en'), '')}.example"


def _email(name: str, unit: Unit, domain: str) -> str:
    """Government style: given name + initials, then the unit (`annv.ninhkieu@...`)."""
    words = _fold(name).split()
    local = words[-1] + "".join(w[0] for w in words[:-1])
    where = unit.code.split("-", 1)[-1] if unit.kind == _AGENCY else _place_name(unit)
    return f"{local}.{_slug(where, '')}@{domain}"


def _phone(rng: random.Random, *, landline: bool) -> str:
    if landline:
        digits = f"{rng.randrange(1_000_000):06d}"
        return f"0292 3{digits[:3]} {digits[3:]}"
    digits = f"{rng.randrange(10_000_000):07d}"
    return f"{rng.choice(_MOBILE)}{digits[0]} {digits[1:4]} {digits[4:]}"


_AGENCY_TITLES: Final = {
    "VPUB": "Phó Chánh Văn phòng UBND thành phố",
    "TTTP": "Phó Chánh Thanh tra thành phố",
    "TTHCC": "Phó Giám đốc Trung tâm",
    "BQLKCN": "Phó Trưởng ban",
    "THUE": "Phó Trưởng Thuế thành phố",
    "TK": "Phó Trưởng Thống kê thành phố",
    "NHNN": "Phó Giám đốc Chi nhánh",
    "CA": "Phó Giám đốc Công an thành phố",
    "BHXH": "Phó Giám đốc Bảo hiểm xã hội thành phố",
}


def _title(rng: random.Random, unit: Unit) -> str:
    if unit.kind == _AGENCY:
        suffix = unit.code.split("-", 1)[-1]
        if suffix in _AGENCY_TITLES:
            return _AGENCY_TITLES[suffix]
        return "Chánh Văn phòng Sở" if rng.random() < 0.25 else "Phó Giám đốc Sở"
    level = "phường" if unit.kind == _WARD else "xã"
    draw = rng.random()
    if draw < 0.75:
        return f"Phó Chủ tịch UBND {level}"
    if draw < 0.85:
        return f"Chủ tịch UBND {level}"
    return f"Chánh Văn phòng HĐND và UBND {level}"


# -- the figures: a model of the city and its communes and wards -------------------------


def _month_index(day: date) -> int:
    return (day.year - _FIRST_YEAR) * 12 + day.month - 1


def _lerp(pair: tuple[float, float], progress: float) -> float:
    return pair[0] + (pair[1] - pair[0]) * progress


@dataclass(frozen=True)
class _Place:
    """A commune or ward: its size and how digital it is, drawn once from the seed."""

    code: str
    ward: bool
    people: float  # residents in January 2024
    household_size: float
    adult_share: float
    maturity: float  # 0..1: how far along its digital transformation is
    fibre: tuple[float, float]  # share of households, January 2024 → October 2025
    signatures: tuple[float, float]  # share of adults
    smartphones: tuple[float, float]  # share of residents
    fibre_from: int  # month index from which it has fibre (-99: always; 99: not yet)
    five_g_from: int  # month index from which it is covered by 5G (99: not yet)
    results_per_person: float  # valid past procedure results per resident
    digitised: tuple[float, float]  # share of valid past results digitised
    on_time: float  # chance a report of its own is on time
    missing: float  # chance a report of its own never comes


def _places(organisation: Organisation, seed: int) -> dict[str, _Place]:
    rng = _rng(seed, "places")
    local = organisation.local()
    drawn = []
    for unit in local:
        ward = unit.kind == _WARD
        maturity = rng.betavariate(7, 3) if ward else rng.betavariate(2.5, 3.5)
        size = rng.lognormvariate(0.6, 0.4) if ward else rng.lognormvariate(0.0, 0.45)
        drawn.append((unit, ward, maturity, size))
    total = sum(size for *_, size in drawn)
    communes = sorted((d for d in drawn if not d[1]), key=lambda d: d[2])
    late_fibre = [d[0].code for d in communes[:20]]
    fibre_from = dict(zip(rng.sample(late_fibre, 6), (5, 9, 14, 19, 99, 99), strict=False))
    places = {}
    for unit, ward, maturity, size in drawn:
        fibre_end = min(0.995, 0.80 + 0.2 * maturity + rng.uniform(-0.02, 0.02))
        signatures_end = 0.28 + 0.38 * maturity + rng.uniform(-0.03, 0.03)
        smartphones_end = 0.66 + 0.2 * maturity
        digitised_end = min(0.97, 0.48 + 0.42 * maturity + rng.uniform(-0.04, 0.04))
        covered = ward or rng.random() < 0.62  # wards first; most communes by late 2025
        five_g = (rng.randint(9, 19) if ward else rng.randint(12, 21)) if covered else 99
        places[unit.code] = _Place(
            code=unit.code,
            ward=ward,
            people=_PEOPLE * size / total,
            household_size=3.2 + 0.3 * rng.random() if ward else 3.5 + 0.4 * rng.random(),
            adult_share=0.74 + 0.03 * rng.random() if ward else 0.71 + 0.04 * rng.random(),
            maturity=maturity,
            fibre=(fibre_end - 0.03 - 0.05 * (1 - maturity), fibre_end),
            signatures=(signatures_end * rng.uniform(0.34, 0.42), signatures_end),
            smartphones=(smartphones_end - rng.uniform(0.05, 0.09), smartphones_end),
            fibre_from=fibre_from.get(unit.code, -99),
            five_g_from=five_g,
            results_per_person=rng.uniform(0.5, 0.9),
            digitised=(digitised_end * rng.uniform(0.40, 0.50), digitised_end),
            on_time=0.90 + 0.08 * maturity if ward else 0.80 + 0.18 * maturity,
            missing=0.05 - 0.03 * maturity,
        )
    return places


# City-wide stocks: (denominator at the start, at the end), then the numerator's share.
_CITY_PAIRS: Final = {
    "commercial_enterprises": (5080.0, 5460.0),
    "smes": (12350.0, 13150.0),
    "food_retail_outlets": (9240.0, 9910.0),
    "active_enterprises": (12880.0, 13720.0),
    "medical_facilities": (396.0, 411.0),
}
_SHARES: Final = {
    "commercial_enterprises_econtract": ("commercial_enterprises", (0.52, 0.77)),
    "smes_on_digital_platforms": ("smes", (0.29, 0.485)),
    "malls_cash_register_einvoice": ("shopping_malls", (0.62, 0.95)),
    "outlets_cash_register_einvoice": ("food_retail_outlets", (0.27, 0.77)),
    "enterprises_etax": ("active_enterprises", (0.978, 0.993)),
    "students_with_digital_transcript": ("students", (0.34, 0.90)),
    "facilities_with_ehealth_book": ("medical_facilities", (0.30, 0.97)),
    "residents_with_health_record": ("residents", (0.22, 0.63)),
    "residents_15plus_with_account": ("residents_15plus", (0.765, 0.852)),
}
_STUDENTS: Final = {2023: 641_800, 2024: 648_300, 2025: 652_900}  # by school year (Sept)
_GRDP: Final = {2024: 262_400.0, 2025: 291_500.0}  # billion VND at current prices
_QUARTER_WEIGHTS: Final = (0.228, 0.243, 0.249, 0.280)
_DIGITAL_SHARE: Final = (0.132, 0.171)
_DTI_RANK: Final = {2023: 14, 2024: 12}


class _World:
    """Every figure a report carries, for a unit and a period, from one seed."""

    def __init__(self, organisation: Organisation, seed: int) -> None:
        self.organisation = organisation
        self.seed = seed
        self.places = _places(organisation, seed)

    def noise(self, *key: object) -> float:
        """A deterministic number in [-1, 1] for `key`."""
        return _rng(self.seed, "noise", *key).uniform(-1.0, 1.0)

    def report(self, dataset: DataSet, unit: str, period: Period) -> dict[str, Any]:
        """A report's values as the API takes them (per commune: an object per measure)."""
        last_day = dataset.window(period)[1]
        units = dataset.value_units(self.organisation, unit)
        figures = {
            spec.measure: {
                u: self.figure(dataset, spec.measure, u, period, last_day) for u in units
            }
            for spec in dataset.fields
        }
        if dataset.values_for is ValuesFor.COMMUNES:
            return figures
        return {measure: by_unit[units[0]] for measure, by_unit in figures.items()}

    def figure(
        self, dataset: DataSet, measure: str, unit: str, period: Period, last_day: date
    ) -> float:
        spec = dataset.field(measure)
        assert spec is not None
        value = self._raw(dataset, measure, unit, period, last_day)
        if spec.max is not None:
            value = min(value, spec.max)
        if spec.min is not None:
            value = max(value, spec.min)
        return round(value, 1) if spec.type is NumberType.DECIMAL else float(round(value))

    def _raw(
        self, dataset: DataSet, measure: str, unit: str, period: Period, last_day: date
    ) -> float:
        month = _month_index(last_day)
        if measure in _SHARES:
            limit, shares = _SHARES[measure]
            if dataset.field(limit) is not None:
                whole = self.figure(dataset, limit, unit, period, last_day)
                share = _lerp(shares, month / _SPAN) + 0.006 * self.noise(measure, unit, month)
                return whole * min(1.0, max(0.0, share))
        if measure in ("grdp", "digital_economy_value_added"):
            return self._economy(dataset, measure, period)
        if measure == "dti_rank":
            return _DTI_RANK.get(period.year, 11)
        if unit in self.places:
            return self._local(self.places[unit], measure, month)
        if unit == self.organisation.root.code:
            return self._city(measure, month, last_day)
        return self._unit(dataset, measure, unit, period, last_day)

    def _local(self, place: _Place, measure: str, month: int) -> float:
        """A commune's or ward's figure at the end of `month`."""
        progress = month / _SPAN
        people = place.people * (1 + 0.0005 * month)
        noise = 0.003 * self.noise(measure, place.code, month)
        match measure:
            case "residents":
                return people
            case "residents_15plus":
                return people * (place.adult_share + 0.04)
            case "households":
                return people / place.household_size * (1 + 0.0003 * month)
            case "households_with_fibre":
                if month < place.fibre_from:
                    return 0.0
                ramp = min(1.0, 0.55 + 0.09 * (month - place.fibre_from))
                households = round(self._local(place, "households", month))
                return households * min(1.0, ramp * _lerp(place.fibre, progress) + noise)
            case "adults":
                return people * place.adult_share
            case "adults_with_signature_certificate":
                adults = round(self._local(place, "adults", month))
                return adults * (_lerp(place.signatures, progress) + noise)
            case "smartphone_users":
                return people * (_lerp(place.smartphones, progress) + noise)
            case "communes_with_fibre":
                return 1.0 if month >= place.fibre_from else 0.0
            case "communes_with_5g":
                return 1.0 if month >= place.five_g_from else 0.0
            case "past_results_valid":
                return people * place.results_per_person * (1 + 0.004 * month)
            case "past_results_digitized":
                valid = round(self._local(place, "past_results_valid", month))
                return valid * min(1.0, _lerp(place.digitised, progress) + noise)
        return 1000.0 * (1 + 0.01 * month)

    def _city(self, measure: str, month: int, last_day: date) -> float:
        """The city's own figure (or the sum of its communes and wards)."""
        progress = month / _SPAN
        noise = 0.002 * self.noise(measure, month)
        if measure in _CITY_PAIRS:
            return _lerp(_CITY_PAIRS[measure], progress) * (1 + noise)
        match measure:
            case "shopping_malls":
                return 16.0 if month < 8 else 17.0 if month < 17 else 18.0
            case "students":
                school_year = last_day.year if last_day.month >= 9 else last_day.year - 1
                return _STUDENTS.get(school_year, _STUDENTS[2025])
        return sum(round(self._local(p, measure, month)) for p in self.places.values())

    def _economy(self, dataset: DataSet, measure: str, period: Period) -> float:
        """GRDP and the digital economy's value added: flows, summed over the months."""
        total = 0.0
        for month in period.months():
            weight = _QUARTER_WEIGHTS[(month.index - 1) // 3] / 3
            total += _GRDP.get(month.year, _GRDP[_LAST_YEAR]) * weight
        total *= 1 + 0.008 * self.noise("grdp", str(period))
        if measure == "grdp":
            return total
        grdp = round(self._economy(dataset, "grdp", period), 1)
        progress = _month_index(period.last_day) / _SPAN
        share = _lerp(_DIGITAL_SHARE, progress) + 0.003 * self.noise(measure, str(period))
        return grdp * share

    def _unit(
        self, dataset: DataSet, measure: str, unit: str, period: Period, last_day: date
    ) -> float:
        """Any other unit's own figure (an agency's past results, say)."""
        month = _month_index(last_day)
        size = 20_000 * (1 + _rng(self.seed, "size", unit).random())
        if any(c.measure == measure for c in dataset.checks):  # a numerator: a share
            limit = next(c.limit for c in dataset.checks if c.measure == measure)
            assert limit is not None
            whole = self.figure(dataset, limit, unit, period, last_day)
            return whole * min(1.0, 0.55 + 0.25 * month / _SPAN)
        return size * (1 + 0.004 * month)


# -- accounts -------------------------------------------------------------------------


def _reporter_name(unit: Unit) -> str:
    return unit.code.split("-", 1)[-1].lower() if unit.kind == _AGENCY else unit.code


def _local_username(unit: Unit) -> str:
    """`phuong-ninh-kieu`, `xa-...` for Vietnam's wards and communes; else the kind:
    `union-kazipur`."""
    prefix = {_WARD: "phuong", "commune": "xa"}.get(unit.kind)
    if prefix is not None:
        return f"{prefix}-{_slug(_place_name(unit))}"
    place = _slug(unit.names.get("en")).removesuffix(f"-{_slug(unit.kind)}")  # Amdah Union
    return f"{_slug(unit.kind)}-{place}"


@dataclass
class _Accounts:
    by_name: dict[str, User] = field(default_factory=dict)
    reporter_of: dict[str, str] = field(default_factory=dict)  # unit code → user name

    def reporter(self, unit: str) -> User:
        return self.by_name[self.reporter_of[unit]]


def _create_accounts(
    conn: Connection, plan: Plan, organisation: Organisation, seed: int
) -> _Accounts:
    """The demo's people: an administrator, the coordinator, a leader and the reporters."""
    accounts = _Accounts()
    known = {u.code for u in organisation}

    def add(username: str, role: Role, display: str, units: list[str] | None = None) -> None:
        accounts.by_name[username] = user_store.add(
            conn,
            username,
            role=role,
            password=DEMO_PASSWORD,
            units=units or [],
            actor=ACTOR,
            display_name=display,
            known_units=known,
        )
        for unit in units or []:
            accounts.reporter_of.setdefault(unit, username)

    add("admin", Role.ADMIN, "Quản trị hệ thống")
    add(COORDINATOR, Role.COORDINATOR, "Nguyễn Văn An — Sở KH&CN")
    add("lanhdao", Role.VIEWER, "Trần Thanh Bình — Lãnh đạo UBND thành phố")
    rng = _rng(seed, "accounts")
    agencies = sorted(
        {
            unit.code: unit
            for dataset in plan.datasets
            for unit in dataset.reporting_units(organisation)
            if unit.kind == _AGENCY
        }.values(),
        key=lambda unit: unit.code,
    )
    for agency in agencies:
        add(_reporter_name(agency), Role.REPORTER, f"{_person(rng)} — {agency.name}", [agency.code])
    local = organisation.local()
    named = [u for name in _LOCAL_REPORTERS for u in local if u.name == name] or local[:3]
    for unit in named:
        add(_local_username(unit), Role.REPORTER, f"{_person(rng)} — UBND {unit.name}", [unit.code])
    add(CLERK, Role.REPORTER, "Cán bộ nhập liệu xã, phường", [u.code for u in local])
    return accounts


# -- the reports' stories ---------------------------------------------------------------


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), DEMO_ZONE)


def _working_day(day: date, *, back: bool) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=-1 if back else 1)
    return day


def _office_time(rng: random.Random, day: date, *, back: bool = False) -> datetime:
    return _at(_working_day(day, back=back), rng.randint(8, 16), rng.randrange(0, 60, 5))


_RETURN_COMMENTS: Final = (
    "Số liệu chưa khớp với báo cáo đơn vị đã gửi UBND thành phố, đề nghị kiểm tra lại.",
    "Mẫu số tăng bất thường so với kỳ trước, đề nghị rà soát và gửi lại.",
    "Số liệu tổng chưa khớp với số liệu chi tiết của đơn vị, đề nghị điều chỉnh và gửi lại.",
)
_LATE_COMMENTS: Final = {
    True: (  # a commune or ward
        "Gửi chậm do chờ tổng hợp số liệu từ các ấp, khu vực.",
        "Gửi chậm do cán bộ phụ trách đi tập huấn, đơn vị xin rút kinh nghiệm.",
        "Gửi chậm do sắp xếp lại bộ máy sau hợp nhất, đơn vị xin rút kinh nghiệm.",
    ),
    False: (  # an agency
        "Gửi chậm do chờ số liệu tổng hợp từ các đơn vị trực thuộc.",
        "Gửi chậm do chờ số liệu đối chiếu từ đơn vị cung cấp dịch vụ.",
        "Gửi chậm do cán bộ phụ trách đi công tác, đơn vị xin rút kinh nghiệm.",
    ),
}
_JUMP_COMMENT: Final = "Số liệu thay đổi nhiều so với kỳ trước do đẩy mạnh triển khai; đã kiểm tra."


@dataclass
class _Job:
    """One report's story: who enters it, with which values, and what happens when."""

    dataset: DataSet
    unit: str
    period: Period
    due: date
    values: dict[str, Any]
    events: list[tuple[datetime, str]] = field(default_factory=list)
    wrong: dict[str, Any] | None = None  # values of a first submission that gets returned
    comment: str | None = None  # the reporter's, on submission
    review: str = ""  # the coordinator's, on returning it


def _periods(dataset: DataSet, as_of: date, year_start: int) -> Iterator[Period]:
    """Every period (of the plan's calendar) that starts in 2024-2025 and has ended
    before `as_of`."""
    period = Period.of(dataset.period_kind, date(_FIRST_YEAR, 1, 1), year_start)
    while period.first_day.year <= _LAST_YEAR and dataset.window(period)[1] < as_of:
        yield period
        period = period.next()


def _reliability(dataset: DataSet, unit: str, world: _World) -> tuple[float, float]:
    """(chance of a report being on time, chance of it never coming) for a reporter."""
    place = world.places.get(unit)
    if place is not None:
        return place.on_time, place.missing
    return (0.9, 0.01) if dataset.period_kind is PeriodKind.MONTH else (0.93, 0.01)


def _wrong(values: dict[str, Any], dataset: DataSet, rng: random.Random) -> dict[str, Any]:
    """The values with one denominator 8% too high (a slip the coordinator catches)."""
    limits = [c.limit for c in dataset.checks if c.limit is not None] or dataset.measures
    measure = rng.choice(limits)
    wrong = dict(values)
    spec = dataset.field(measure)
    decimal = spec is not None and spec.type is NumberType.DECIMAL

    def bump(value: float) -> float:
        return round(value * 1.08, 1) if decimal else float(round(value * 1.08))

    given = values[measure]
    if isinstance(given, dict):
        unit = rng.choice(sorted(given))
        wrong[measure] = {**given, unit: bump(given[unit])}
    else:
        wrong[measure] = bump(given)
    return wrong


def _story(job: _Job, rng: random.Random, on_time: float, missing: float, as_of: date) -> None:
    """Fill in the job's events (instants in local time); later ones are cut at `as_of`."""
    earliest = job.dataset.window(job.period)[1] + timedelta(days=1)
    due_passed = job.due < as_of
    draw = rng.random()
    if due_passed and draw < missing:
        if rng.random() < 0.4:  # started, never sent
            job.events.append(
                (_office_time(rng, job.due - timedelta(days=rng.randint(0, 5))), "save")
            )
        return
    lead = min(8 if job.dataset.period_kind is PeriodKind.MONTH else 10, job.dataset.due_days)
    day = max(earliest, job.due - timedelta(days=rng.randint(0, max(0, lead - 1))))
    if due_passed and draw > missing + on_time:
        slack = 12 if job.dataset.period_kind is PeriodKind.MONTH else 20
        day = min(job.due + timedelta(days=rng.randint(1, slack)), as_of - timedelta(days=1))
        if day <= job.due:
            return  # would be late only after the demo date: still missing then
        local = job.dataset.values_for is ValuesFor.REPORTER
        job.comment = rng.choice(_LATE_COMMENTS[local]) if rng.random() < 0.6 else None
        submit = _office_time(rng, day)
    else:
        back = _working_day(day, back=True) >= earliest
        submit = _office_time(rng, day, back=back)
    until = _at(as_of, 9)
    save_day = max(earliest, submit.date() - timedelta(days=rng.randint(0, 2)))
    save = min(_office_time(rng, save_day, back=save_day > earliest), submit)
    job.events += [(save - timedelta(minutes=25), "save"), (submit, "submit")]
    if submit >= until and not due_passed and rng.random() < 0.5:  # a draft so far
        day = max(earliest, as_of - timedelta(days=rng.randint(1, 3)))
        job.events.insert(0, (_office_time(rng, day, back=day > earliest), "save"))
    moment = submit
    if rng.random() < 0.02:  # returned once, corrected, submitted again
        job.wrong = job.values  # replaced by the slipped values; the corrected are right
        job.review = rng.choice(_RETURN_COMMENTS)
        moment = _office_time(rng, (moment + timedelta(days=rng.randint(1, 3))).date())
        job.events.append((moment, "return"))
        moment = _office_time(rng, (moment + timedelta(days=rng.randint(1, 4))).date())
        job.events += [(moment, "correct"), (moment + timedelta(minutes=20), "resubmit")]
    if moment >= until - timedelta(days=21):  # the latest ones wait for the coordinator
        lag = rng.randint(4, 18)
    else:
        lag = rng.randint(1, 4) if rng.random() < 0.85 else rng.randint(5, 12)
    approve = _office_time(rng, (moment + timedelta(days=lag)).date())
    job.events.append((max(approve, moment + timedelta(hours=1)), "approve"))


def _jobs(plan: Plan, world: _World, as_of: date) -> list[_Job]:
    jobs = []
    for dataset in plan.datasets:
        for period in _periods(dataset, as_of, plan.fiscal_year_start):
            for unit in dataset.reporting_units(world.organisation):
                job = _Job(
                    dataset,
                    unit.code,
                    period,
                    dataset.due(period),
                    world.report(dataset, unit.code, period),
                )
                rng = _rng(world.seed, "story", dataset.code, unit.code, str(period))
                _story(job, rng, *_reliability(dataset, unit.code, world), as_of)
                if job.wrong is not None:
                    job.wrong = _wrong(job.values, dataset, rng)
                jobs.append(job)
    return jobs


def _run(
    conn: Connection,
    plan: Plan,
    organisation: Organisation,
    jobs: list[_Job],
    accounts: _Accounts,
    until: datetime,
) -> int:
    """Play every event before `until` in time order; return the reports returned."""
    events = sorted(
        (at, index, order, step, job)
        for index, job in enumerate(jobs)
        for order, (at, step) in enumerate(job.events)
        if at < until
    )
    coordinator = accounts.by_name[COORDINATOR]
    returned = 0
    for at, _, _, step, job in events:
        service = Reporting(conn, plan, organisation, now=at, deferred=True)
        reporter = accounts.reporter(job.unit)
        report = service.open(reporter, job.dataset.code, job.unit, str(job.period))
        match step:
            case "save":
                raw = job.wrong if job.wrong is not None else job.values
                service.save(reporter, report, service.parse_values(report, raw))
            case "submit" | "resubmit":
                _submit(service, reporter, report, job.comment)
            case "return":
                service.return_(coordinator, report, job.review)
                returned += 1
            case "correct":
                service.save(reporter, report, service.parse_values(report, job.values))
            case "approve":
                service.approve(coordinator, report)
    return returned


def _submit(service: Reporting, reporter: User, report: Report, comment: str | None) -> None:
    """Submit, explaining a big change from last period as a reporter would."""
    try:
        service.submit(reporter, report, comment=comment)
    except Invalid as refused:
        if comment is not None or errors(refused.findings):
            raise
        service.submit(reporter, report, comment=_JUMP_COMMENT)


# -- focal points -----------------------------------------------------------------------


def _focal_points(
    conn: Connection, plan: Plan, organisation: Organisation, seed: int, as_of: date
) -> int:
    """Record the units' focal points with some history; return the records written."""
    if plan.focal_points is None:
        return 0
    units = plan.focal_points.units(organisation)
    rng = _rng(seed, "focal-points")
    never = set(rng.sample([u.code for u in units], round(0.03 * len(units))))
    left = set(rng.sample([u.code for u in units if u.code not in never], round(0.02 * len(units))))
    records: list[tuple[datetime, str, dict[str, str | None]]] = []
    domain = _mail_domain(organisation.root)

    def someone(unit: Unit) -> dict[str, str | None]:
        name = _person(rng)
        return {
            "name": name,
            "title": _title(rng, unit),
            "phone": _phone(rng, landline=unit.kind == _AGENCY and rng.random() < 0.6),
            "email": _email(name, unit, domain),
        }

    for unit in units:
        if unit.code in never:
            continue
        first = date(2024, 1, 8) + timedelta(days=rng.randint(0, 170))
        records.append((_office_time(rng, first), unit.code, someone(unit)))
        local = unit.kind != _AGENCY
        if local and rng.random() < 0.3:  # new commune leadership after the July 2025 merger
            day = date(2025, 7, 1) + timedelta(days=rng.randint(3, 55))
            records.append((_office_time(rng, day), unit.code, someone(unit)))
        elif not local and rng.random() < 0.1:
            day = date(2024, 9, 2) + timedelta(days=rng.randint(0, 400))
            records.append((_office_time(rng, day), unit.code, someone(unit)))
        if unit.code in left:  # transferred, not replaced yet
            day = date(2025, 8, 15) + timedelta(days=rng.randint(0, 60))
            empty: dict[str, str | None] = {
                "name": None,
                "title": None,
                "phone": None,
                "email": None,
            }
            records.append((_office_time(rng, day), unit.code, empty))
    until = _at(as_of, 9)
    written = 0
    for at, unit_code, state in sorted(records, key=lambda r: (r[0], r[1])):
        if at < until and focal_store.record(conn, unit_code, actor=COORDINATOR, at=at, **state):
            written += 1
    return written


# -- the loader ---------------------------------------------------------------------------


def has_accounts(workspace: Workspace) -> bool:
    """Whether the store has any account (then the demo adds no reports or accounts)."""
    with workspace.engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(users_table)).scalar_one())


def load_reports(
    workspace: Workspace, *, as_of: date = DEMO_AS_OF, seed: int = 2025
) -> ReportsLoad:
    """Create the demo accounts, reports and focal points as of `as_of` (09:00 local time).

    One transaction: all or nothing. A store that already has accounts is left alone
    (`loaded` is False), so running the demo twice adds nothing.
    """
    plan, organisation = workspace.plan(), workspace.organisation()
    if plan is None or organisation is None:
        raise ValueError("initialise the workspace first")
    if has_accounts(workspace):
        return ReportsLoad(loaded=False)
    world = _World(organisation, seed)
    until = _at(as_of, 9)
    jobs = _jobs(plan, world, as_of)
    with workspace.writing() as conn:
        accounts = _create_accounts(conn, plan, organisation, seed)
        focal_records = _focal_points(conn, plan, organisation, seed, as_of)
        returned = _run(conn, plan, organisation, jobs, accounts, until)
        Reporting(conn, plan, organisation, now=until, deferred=True).refresh()
        return _counts(conn, jobs, as_of, until, len(accounts.by_name), focal_records, returned)


def _counts(
    conn: Connection,
    jobs: list[_Job],
    as_of: date,
    until: datetime,
    users: int,
    focal_records: int,
    returned: int,
) -> ReportsLoad:
    stored = {s.key: s for s in submission_store.find(conn)}
    statuses = [s.status for s in stored.values()]
    expected = late = missing = 0
    for job in jobs:
        if job.due >= as_of:
            continue
        expected += 1
        report = stored.get(f"{job.dataset.code}/{job.unit}/{job.period}")
        if not received(report):
            missing += 1
        elif report is not None and report.first_submitted_at is not None:
            late += report.first_submitted_at.astimezone(DEMO_ZONE).date() > job.due
    named = sum(p.named for p in focal_store.current(conn, at=until).values())
    return ReportsLoad(
        users=users,
        expected=expected,
        approved=statuses.count(Status.APPROVED),
        late=late,
        missing=missing,
        returned=returned,
        submitted=statuses.count(Status.SUBMITTED),
        drafts=statuses.count(Status.DRAFT),
        focal_points=named,
        focal_point_records=focal_records,
    )
