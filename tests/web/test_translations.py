"""Every message of the templates and the code is translated into Vietnamese and Bengali."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import dxplan
from dxplan.i18n import LOCALES

PACKAGE = Path(dxplan.__file__).parent


def _messages() -> set[str]:
    method_map = [
        ("web/templates/**.html", "jinja2"),
        ("notify/templates/**", "jinja2"),
        ("**.py", "python"),
    ]
    found = {
        message
        for _, _, message, _, _ in extract_from_dir(
            PACKAGE,
            method_map,
            options_map={"web/templates/**.html": {}, "notify/templates/**": {}},
            keywords={"_": None, "gettext": None},
        )
    }
    return {m for m in found if isinstance(m, str)}


def test_there_are_messages_to_translate():
    assert {"Target", "Monitored", "Overall score"} <= _messages()


@pytest.mark.parametrize("language", ["vi", "bn"])
def test_catalog_is_complete(language):
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = _messages() - translated
    assert not missing, f"{language} lacks: {sorted(missing)}"
