"""The receiver's mapping file: each sender's own codes → the national ones.

A province whose plan names an indicator (or a unit) otherwise than the national plan
sends its own code; the receiver translates it before checking the packet:

```yaml
senders:
  "92":
    indicator_codes: {CT-DVC-03: GOV-03}   # the province's code: the national code
    unit_codes: {}
```

A code not listed is taken as sent. Mistakes are reported at file:line:column.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dxplan.documents import Document
from dxplan.national.mapping import _unique
from dxplan.receiving.packet import Codes

_CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class SenderCodes(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    indicator_codes: dict[str, str] = Field(default_factory=dict)
    unit_codes: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_to_one(self) -> SenderCodes:
        _unique(self.indicator_codes, "indicator_codes")
        _unique(self.unit_codes, "unit_codes")
        return self


class ReceiverMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    senders: dict[str, SenderCodes] = Field(default_factory=dict)

    def codes(self, sender: str) -> Codes:
        found = self.senders.get(sender)
        if found is None:
            return Codes()
        return Codes(dict(found.indicator_codes), dict(found.unit_codes))


def load_receiver_mapping(path: Path | None) -> ReceiverMapping:
    """Read the mapping file (none: every code as sent); DocumentError names the line."""
    if path is None:
        return ReceiverMapping()
    return Document.read(path).validate(ReceiverMapping)
