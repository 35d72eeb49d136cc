"""PROTECTION.md 6: views and API handlers never query personal models
directly; they go through the app's access module."""

import ast
from pathlib import Path

import salama
from salama.registry.sensitivity import PERSONAL_MODELS

ROOT = Path(salama.__file__).parent
CHECKED = ("views.py", "api.py")


def direct_queries(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"objects", "_default_manager", "_base_manager"}
            and isinstance(node.value, ast.Name)
            and node.value.id in PERSONAL_MODELS
        ):
            found.append(f"{node.value.id}.{node.attr} (line {node.lineno})")
    return found


def test_the_check_catches_a_direct_query():
    assert direct_queries("def v(r):\n    return Person.objects.get(pk=1)\n") == [
        "Person.objects (line 2)"
    ]


def test_no_view_or_api_module_queries_personal_models():
    offenders = {
        str(path.relative_to(ROOT)): hits
        for path in ROOT.rglob("*.py")
        if path.name in CHECKED
        for hits in [direct_queries(path.read_text(encoding="utf-8"))]
        if hits
    }
    assert offenders == {}
