"""Write the contracts generated from the code into docs/ (or, with --check, list stale ones).

.venv/bin/python scripts/contracts.py          # write docs/schemas/*.json, docs/measures.md, ...
.venv/bin/python scripts/contracts.py --check  # exit 1 when a committed file is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from dxplan.contracts import stale, write

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        found = stale(ROOT)
        for path in found:
            print(f"{path}: differs from the code; run scripts/contracts.py", file=sys.stderr)
        return 1 if found else 0
    for path in write(ROOT):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
