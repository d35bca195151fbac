"""Who issues the plan's official reports: agency, number sign, place, signer, recipients.

An optional `issuer:` section of the plan file. Decree 30/2020/ND-CP (model 1.4) puts
these on every administrative document; they differ from one province to the next,
so they are data of the plan, never text in code.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from dxplan.domain.names import LocalizedText


class Signer(BaseModel):
    """The signature block: the lines of authority and title, then the signer's name."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    titles: list[LocalizedText] = Field(
        min_length=1,
        max_length=4,
        description="printed in capitals, one a line: TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH, ...",
    )
    name: str = Field(min_length=1, max_length=120)


class Issuer(BaseModel):
    """The issuing agency of the official reports and whom they are sent to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    superior: LocalizedText | None = Field(
        default=None, description="the governing body, printed above the agency (if any)"
    )
    agency: LocalizedText = Field(description="the issuing agency, printed in capitals")
    abbreviation: str = Field(
        pattern=r"^[A-ZĐ0-9][A-ZĐ0-9-]{0,19}$", description="as in Số: …/BC-UBND"
    )
    place: LocalizedText = Field(description="the place of the date line, e.g. Cần Thơ")
    signer: Signer
    recipients: list[LocalizedText] = Field(min_length=1, description="the Nơi nhận: list")
    archive: str = Field(
        min_length=1, max_length=60, description="after `Lưu:`, e.g. VT, VP (the filing offices)"
    )
    units: dict[str, Issuer] = Field(
        default_factory=dict,
        description="a unit's own issuer (a ward's People's Committee, a department), by "
        "unit code: its reports are headed by it; other units' by this one",
    )

    def of(self, unit: str) -> Issuer:
        """Who issues the report of `unit`: its own issuer if the plan names one."""
        return self.units.get(unit, self)
