"""PROTECTION.md 6: personal records are fetched only through the access
layer. Outside the modules allowed below, no code queries a personal model
directly."""

import ast
from pathlib import Path

import salama
from salama.registry.sensitivity import PERSONAL_MODELS

ROOT = Path(salama.__file__).parent
# access.py scopes; actions and import jobs re-read (and lock) a record that
# was fetched through access.py before they write it.
ALLOWED = {
    "registry/access.py",
    "registry/actions.py",
    "registry/import_jobs.py",
    # keeps search keys and returns person ids only, never records
    "registry/matching.py",
    "screening/access.py",
    "screening/actions.py",
    "privacy/access.py",
    "tracing/access.py",
    "tracing/actions.py",
    "presence/access.py",
    "presence/actions.py",
    "cases/access.py",
    "cases/actions.py",
    # alleged exploiters: records, removals and the clusters, scoped there
    "cases/networks.py",
    # the plan items due (reminders) and the referrals counted (figures), every scope
    "cases/access_recovery.py",
    # retention deletes what passed its period in every scope (PROTECTION.md 19)
    "privacy/actions.py",
    "civil/access.py",
    "civil/actions.py",
    # the checks and look-ups of civil/actions.py's writes (duplicates, marriages)
    "civil/rules.py",
    # issuing, printing and revoking a document of a record fetched through civil/access.py
    "civil/certificates.py",
    # counts, scoped by the aggregate permission's sites; no record leaves it
    "civil/figures.py",
    # weekly counts per site for early warning; no record leaves it
    "warning/signals.py",
    "warning/access.py",
    "warning/actions.py",
    # the four-pillar figures: counts per site and period, scoped by the page's site
    "reports/figures.py",
    # the organisation's trafficking cases as CTDC facts for the export job (no record leaves)
    "reports/sharing.py",
    "reports/access.py",
    "reports/actions.py",
}


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


def test_no_module_outside_the_access_layer_queries_personal_models():
    offenders = {
        name: hits
        for path in ROOT.rglob("*.py")
        if "migrations" not in path.parts
        for name in [str(path.relative_to(ROOT))]
        if name not in ALLOWED
        for hits in [direct_queries(path.read_text(encoding="utf-8"))]
        if hits
    }
    assert offenders == {}
