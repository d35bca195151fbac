"""Every message of the templates and the code is translated into Vietnamese and Bengali."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import dxplan.web
from dxplan.web.rendering import LOCALES

WEB = Path(dxplan.web.__file__).parent


def _messages() -> set[str]:
    method_map = [("templates/**.html", "jinja2"), ("**.py", "python")]
    found = {
        message
        for _, _, message, _, _ in extract_from_dir(
            WEB,
            method_map,
            options_map={"templates/**.html": {}},
            keywords={"_": None, "gettext": None},
        )
    }
    return {m for m in found if isinstance(m, str)}


def test_there_are_messages_to_translate():
    assert {"Latest value", "Target", "Monitored"} <= _messages()


@pytest.mark.parametrize("language", ["vi", "bn"])
def test_catalog_is_complete(language):
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {m.id for m in catalog if m.id and m.string}
    missing = _messages() - translated
    assert not missing, f"{language} lacks: {sorted(missing)}"
