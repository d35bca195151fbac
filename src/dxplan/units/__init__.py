"""Where units come from: the official commune list and an editable agency file.

Communes and wards (with their official 5-digit codes and names) come from the
`vietnam-provinces` package, never retyped; agencies come from a YAML file per
province. A second province needs only another agency file.
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
from dxplan.domain.unit import Unit, UnitKind

DATA_DIR: Final = Path(__file__).parent / "data"

__all__ = ["agencies_file_for", "load_agencies", "load_organisation", "official_units"]

_KIND_OF_DIVISION: Final = {
    VietNamDivisionType.PHUONG: UnitKind.WARD,
    VietNamDivisionType.XA: UnitKind.COMMUNE,
    VietNamDivisionType.DAC_KHU: UnitKind.COMMUNE,
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
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=32)
    names: VietnameseNames


class AgencyList(BaseModel):
    """The agency file: the agencies of one province, all directly under its root unit."""

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


def official_units(province_code: str) -> list[Unit]:
    """The province and its communes and wards, from the official list, by code."""
    try:
        province = Province.from_code(ProvinceCode(int(province_code)))
    except ValueError:
        raise OrganisationError(f"{province_code!r} is not an official province code") from None
    root = Unit(
        code=str(int(province.code)),
        names=LocalizedText(vi=province.name, en=_english(province.name, province.division_type)),
        kind=UnitKind.CITY,
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
        Unit(code=entry.code, names=entry.names, kind=UnitKind.AGENCY, parent=listing.parent)
        for entry in listing.agencies
    ]


def load_organisation(province_code: str, agencies_file: Path | None = None) -> Organisation:
    """The whole organisation of a province: official divisions plus its agencies.

    Raises DocumentError for a broken agency file and OrganisationError for units
    that do not form one tree (a duplicate code, an unknown parent).
    """
    path = agencies_file or agencies_file_for(province_code)
    official = official_units(province_code)
    taken = frozenset(unit.code for unit in official)
    agencies = load_agencies(path, taken) if agencies_file or path.exists() else []
    try:
        return Organisation([*official, *agencies])
    except OrganisationError as error:
        raise DocumentError(
            [DocumentProblem(str(path), 1, 1, "organisation", str(error))]
        ) from None
