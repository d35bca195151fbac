"""Open data: the plan's public figures as a Frictionless Data Package.

`schema.py` defines the resources and their fields once: the `datapackage.json`, the
open-data page and docs/open-data.md are all drawn from it. `package.py` fills them
from the same rows `dxplan indicators export` prints, for the indicators that a reader
who has not signed in may see (the policy decides), and writes a package to a folder
without ever leaving half of one.
"""
