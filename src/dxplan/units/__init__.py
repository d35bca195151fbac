"""Where units come from: the Vietnamese official list with an agency file, or a units file.

A plan's `organisation:` names its source. `VN`: the whole country, its 34 provinces
(kind `province`) with their communes and wards from the same package, and the agencies
of the provinces that ship an agency file (`NATIONAL_KINDS`): the organisation of a
dxplan that receives the provinces' packets. A Vietnamese province code (`"92"`): the
province's communes and wards (official 5-digit codes and names) come from the
`vietnam-provinces` package, never retyped, and its agencies from a YAML file per
province; the Vietnamese source declares its own kinds (`VIETNAMESE_KINDS`).
`units_file:` a CSV or YAML file of any organisation, any depth, with the kinds the plan
declares (`dxplan.units.file`). A code is looked up in the declared source only.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, Field
from vietnam_provinces import Province, ProvinceCode, VietNamDivisionType, Ward

from dxplan.documents import Document, DocumentError, DocumentProblem
from dxplan.domain.names import LocalizedText
from dxplan.domain.organisation import Organisation, OrganisationError
from dxplan.domain.plan import Plan
from dxplan.domain.unit import KindCode, Ranking, Unit, UnitKind, UnitKinds, UnitsSource
from dxplan.units.file import load_units_file

DATA_DIR: Final = Path(__file__).parent / "data"

__all__ = [
    "COUNTRY_CODE",
    "NATIONAL_KINDS",
    "VIETNAMESE_KINDS",
    "agencies_file_for",
    "declared_kinds",
    "load_agencies",
    "load_organisation",
    "load_units_file",
    "national_organisation",
    "official_units",
    "organisation_of",
]

CITY, WARD, COMMUNE, AGENCY = "city", "ward", "commune", "agency"
COUNTRY, PROVINCE = "country", "province"
COUNTRY_CODE: Final = "VN"
"""`organisation: VN`: the whole country, the root unit's code."""

VIETNAMESE_KINDS: Final = UnitKinds(
    kinds=[
        UnitKind(code=CITY, names=LocalizedText(vi="Thành phố", en="City", bn="শহর")),
        UnitKind(code=WARD, names=LocalizedText(vi="Phường", en="Ward", bn="ওয়ার্ড")),
        UnitKind(code=COMMUNE, names=LocalizedText(vi="Xã", en="Commune", bn="কমিউন")),
        UnitKind(code=AGENCY, names=LocalizedText(vi="Sở, ban, ngành", en="Agency", bn="সংস্থা")),
    ],
    rankings=[
        Ranking(
            code="communes",
            names=LocalizedText(vi="Xã, phường", en="Communes and wards", bn="কমিউন ও ওয়ার্ড"),
            kinds=[WARD, COMMUNE],
        ),
        Ranking(
            code="agencies",
            names=LocalizedText(vi="Sở, ban, ngành", en="Agencies", bn="সংস্থাসমূহ"),
            kinds=[AGENCY],
        ),
    ],
    local=[WARD, COMMUNE],
)
"""The kinds the Vietnamese source gives its units; a plan on it may declare others."""

_COMMUNE_KINDS: Final = [k for k in VIETNAMESE_KINDS.kinds if k.code != CITY]
NATIONAL_KINDS: Final = UnitKinds(
    kinds=[
        UnitKind(code=COUNTRY, names=LocalizedText(vi="Quốc gia", en="Country", bn="দেশ")),
        UnitKind(
            code=PROVINCE, names=LocalizedText(vi="Tỉnh, thành phố", en="Province", bn="প্রদেশ")
        ),
        *_COMMUNE_KINDS,
    ],
    rankings=[
        Ranking(
            code="provinces",
            names=LocalizedText(vi="Tỉnh, thành phố", en="Provinces", bn="প্রদেশসমূহ"),
            kinds=[PROVINCE],
        ),
        *(r for r in VIETNAMESE_KINDS.rankings if r.code == "communes"),
    ],
    local=[WARD, COMMUNE],
)
"""The kinds of the national organisation (`organisation: VN`): the country, its 34
provinces and centrally run cities (one kind, ranked together), their communes and
wards, and the agencies of the provinces that ship an agency file."""

_KIND_OF_DIVISION: Final = {
    VietNamDivisionType.PHUONG: WARD,
    VietNamDivisionType.XA: COMMUNE,
    VietNamDivisionType.DAC_KHU: COMMUNE,
}
_ENGLISH: Final = {
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: ("Thành phố ", "{} City"),
    VietNamDivisionType.TINH: ("Tỉnh ", "{} Province"),
    VietNamDivisionType.PHUONG: ("Phường ", "{} Ward"),
    VietNamDivisionType.XA: ("Xã ", "{} Commune"),
    VietNamDivisionType.DAC_KHU: ("Đặc khu ", "{} Special Zone"),
}


class VietnameseNames(LocalizedText):
    """Names of an agency of a Vietnamese province: its official Vietnamese name is
    required (a plan's texts need only the plan's languages)."""

    vi: str


class AgencyEntry(BaseModel):
    """One agency; under the list's `parent` unless it names its own (another agency)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=32)
    names: VietnameseNames
    parent: str | None = None
    kind: KindCode = AGENCY


class AgencyList(BaseModel):
    """The agency file: the agencies of one province, under its root unit by default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parent: str
    agencies: list[AgencyEntry]


def _ascii(text: str) -> str:
    stripped = "".join(
        c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)
    )
    return unicodedata.normalize("NFC", stripped.replace("Đ", "D").replace("đ", "d"))


def _english(name: str, division: VietNamDivisionType) -> str:
    prefix, pattern = _ENGLISH[division]
    return pattern.format(_ascii(name.removeprefix(prefix)))


def official_units(
    province_code: str, *, kind: str = CITY, parent: str | None = None
) -> list[Unit]:
    """The province and its communes and wards, from the official list, by code.

    The province is the root (of kind `city`) unless `parent` names the unit above it.
    """
    try:
        province = Province.from_code(ProvinceCode(int(province_code)))
    except ValueError:
        raise OrganisationError(f"{province_code!r} is not an official province code") from None
    root = Unit(
        code=str(int(province.code)),
        names=LocalizedText(vi=province.name, en=_english(province.name, province.division_type)),
        kind=kind,
        parent=parent,
    )
    wards = sorted(
        (w for w in Ward.iter_by_province(province.code)), key=lambda ward: int(ward.code)
    )
    return [root] + [
        Unit(
            code=f"{int(ward.code):05d}",
            names=LocalizedText(vi=ward.name, en=_english(ward.name, ward.division_type)),
            kind=_KIND_OF_DIVISION[ward.division_type],
            parent=root.code,
        )
        for ward in wards
    ]


def agencies_file_for(province_code: str) -> Path:
    """The shipped agency file of a province."""
    return DATA_DIR / f"agencies-{province_code}.yaml"


def load_agencies(path: Path, taken: frozenset[str] = frozenset()) -> list[Unit]:
    """Read an agency file; raise DocumentError with the line of each mistake.

    `taken` holds codes already used by other units (the official divisions).
    """
    document = Document.read(path)
    listing = document.validate(AgencyList)
    seen = set(taken)
    clashes = []
    for index, entry in enumerate(listing.agencies):
        if entry.code in seen:
            clashes.append(
                (
                    ("agencies", index, "code"),
                    "duplicate-code",
                    f"unit code {entry.code!r} is taken",
                )
            )
        seen.add(entry.code)
    document.fail(clashes)
    return [
        Unit(
            code=entry.code,
            names=entry.names,
            kind=entry.kind,
            parent=entry.parent or listing.parent,
        )
        for entry in listing.agencies
    ]


def load_organisation(
    province_code: str, agencies_file: Path | None = None, kinds: UnitKinds = VIETNAMESE_KINDS
) -> Organisation:
    """The whole organisation of a province: official divisions plus its agencies.

    Raises DocumentError for a broken agency file and OrganisationError for units
    that do not form one tree (a duplicate code, an unknown parent).
    """
    path = agencies_file or agencies_file_for(province_code)
    official = official_units(province_code)
    taken = frozenset(unit.code for unit in official)
    agencies = load_agencies(path, taken) if agencies_file or path.exists() else []
    try:
        return Organisation([*official, *agencies], kinds)
    except OrganisationError as error:
        raise DocumentError(
            [DocumentProblem(str(path), 1, 1, "organisation", str(error))]
        ) from None


def national_organisation(kinds: UnitKinds = NATIONAL_KINDS) -> Organisation:
    """The whole country: the root `VN`, the 34 provinces (kind `province`, each with the
    code it carries as its own organisation's root: `92`, `1`...), their communes and
    wards, and the agencies of each province that ships an agency file (`92-STP`...):
    every unit a province's dxplan sends figures of."""
    country = Unit(
        code=COUNTRY_CODE,
        names=LocalizedText(vi="Việt Nam", en="Viet Nam", bn="ভিয়েতনাম"),
        kind=COUNTRY,
    )
    units = [country]
    for province in sorted(Province.iter_all(), key=lambda p: int(p.code)):
        code = str(int(province.code))
        official = official_units(code, kind=PROVINCE, parent=COUNTRY_CODE)
        path = agencies_file_for(code)
        taken = frozenset(unit.code for unit in official)
        units += official + (load_agencies(path, taken) if path.exists() else [])
    return Organisation(units, kinds)


def declared_kinds(plan: Plan) -> UnitKinds:
    """The plan's kinds of unit: its `unit_kinds:`, else its source's own."""
    if plan.unit_kinds is not None:
        return plan.unit_kinds
    if plan.organisation == COUNTRY_CODE:
        return NATIONAL_KINDS
    if isinstance(plan.organisation, str):
        return VIETNAMESE_KINDS
    raise OrganisationError("a plan with a units file declares its kinds under `unit_kinds:`")


def organisation_of(plan: Plan, plan_file: Path, agencies_file: Path | None = None) -> Organisation:
    """Load the organisation from the source the plan declares, and from nowhere else.

    Raises DocumentError for a broken units or agency file and OrganisationError for a
    source that cannot be used (an unknown province code, kinds not declared).
    """
    kinds = declared_kinds(plan)
    source = plan.organisation
    if isinstance(source, UnitsSource):
        path = plan_file.parent / source.units_file
        return load_units_file(path, kinds, plan.languages, name=str(path))
    if source == COUNTRY_CODE:
        return national_organisation(kinds)
    return load_organisation(source, agencies_file, kinds)
