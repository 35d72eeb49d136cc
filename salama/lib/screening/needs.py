"""Names of the specific-needs codes in a language. The package file keeps
English as each code's value (what registry.codes reads) and the other
languages under "_names"."""

import json
from functools import cache
from importlib import resources


@cache
def _table() -> dict[str, object]:
    text = resources.files("salama").joinpath("data/specific_needs.json").read_text("utf-8")
    data: dict[str, object] = json.loads(text)
    return data


@cache
def need_names(language: str) -> dict[str, str]:
    """Code → name in this language (English where a name is missing)."""
    table = _table()
    english = {k: str(v) for k, v in table.items() if not k.startswith("_")}
    names = table.get("_names", {})
    other = names.get(language[:2], {}) if isinstance(names, dict) else {}
    return {code: other.get(code, name) for code, name in english.items()}


def need_name(code: str, language: str) -> str:
    return need_names(language).get(code, code)
