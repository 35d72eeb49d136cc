"""The documentation stays inside the repository and true to the code: every link
resolves to a file of the clone, the roles page is the role table of
salama/core/roles.py, and the settings page names every environment setting.

After changing roles.py, rewrite the generated part of docs/roles.md with
`SALAMA_UPDATE_DOCS=1 pytest tests/test_docs.py`."""

import os
import re
from pathlib import Path

import pytest
from django.utils import translation

from salama.core.roles import (
    ROLE_LABELS,
    ROLE_PERMISSIONS,
    ROLE_PURPOSE,
    ROLES_NEEDING_2FA,
    ROLES_SEEING_SURVIVOR_NAMES,
    Perm,
    Role,
)

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
ROLES_DOC = ROOT / "docs" / "roles.md"
BEGIN = "<!-- BEGIN generated from salama/core/roles.py by tests/test_docs.py -->"
END = "<!-- END generated -->"

# What each permission lets a user do, in the words of the roles page. A new
# permission in roles.py fails the test until it is described here.
PERM_DESCRIPTIONS = {
    Perm.PERSON_VIEW: "see people's records (profile, documents, history)",
    Perm.PERSON_CREATE: "register people",
    Perm.PERSON_CHANGE: "correct people's records and record their consent (history kept)",
    Perm.PERSON_DELETE: "delete a person's record",
    Perm.PERSON_MERGE: "review likely duplicates, merge and unmerge them",
    Perm.HOUSEHOLD_VIEW: "see households",
    Perm.HOUSEHOLD_CREATE: "register households",
    Perm.HOUSEHOLD_CHANGE: "change households and add members",
    Perm.REGISTRY_IMPORT: "import a registry file (CSV or XLSX)",
    Perm.REGISTRY_EXPORT: (
        "export the registry as an encrypted CSV that expires (highly sensitive fields never leave)"
    ),
    Perm.AUDIT_VIEW: "read who read or changed a person's record",
    Perm.AGGREGATE_VIEW: "see figures: counts with small cells hidden, never a record",
    Perm.SCREENING_VIEW: "see screenings and their results",
    Perm.SCREENING_CREATE: "screen a person with an instrument",
    Perm.ALERT_VIEW: "see and acknowledge the alerts screenings raise",
    Perm.FIELD_SUBMIT: "collect data on a phone (ODK Collect, KoboCollect, Enketo)",
    Perm.SUBMISSION_REVIEW: "attach field submissions that wait for review to a person",
    Perm.SUBJECT_ACCESS: (
        "answer a person's request for their own data (one encrypted file) and close their file"
    ),
    Perm.TRACING_VIEW: "see the missing-persons desk's cases of its organisation",
    Perm.TRACING_REPORT: "take a missing or found person report at the desk",
    Perm.TRACING_ACT: (
        "work a tracing case: actions, sightings, candidates, status, handing over to authorities"
    ),
    Perm.TRACING_DESK: "keep a site's desk: its place and hours, the duty roster, the printed notice",
    Perm.PRESENCE_RECORD: (
        "record roll calls and distributions (scan household cards, search, import a list)"
    ),
    Perm.ABSENCE_VIEW: "see absence alerts (people not seen at presence checks)",
    Perm.ABSENCE_RESOLVE: (
        "resolve an absence alert: confirm safe, dismiss with a reason, or open a missing report"
    ),
    Perm.CASE_VIEW: "see the protection cases of its organisation and the referrals made from them",
    Perm.CASE_WORK: (
        "work a protection case: open it, notes, case plan, child's assessment, referrals with "
        "consent, services delivered, closing"
    ),
    Perm.CASE_SUPERVISE: (
        "supervise cases: reassign, review, see referrals made without consent (overrides)"
    ),
    Perm.REFERRAL_RECEIVE: (
        "answer referrals made to its organisation's services and read what they share"
    ),
    Perm.SERVICE_KEEP: "keep a site's service directory and referral pathways",
    Perm.NETWORK_VIEW: (
        "see the links between its organisation's cases that share alleged exploiters "
        "(the clusters page); a case's own exploiters are seen with the case"
    ),
    Perm.CIVIL_VIEW: "see the civil registration records of their office",
    Perm.COMPLAINT_RECEIVE: (
        "receive, read and handle the complaints of sexual exploitation and abuse made to "
        "one's organisation (never as their subject)"
    ),
    Perm.COMPLAINT_INVESTIGATE: "read and investigate the complaints referred to one's organisation",
    Perm.COMPLAINT_FIGURES: "read the PSEA network's figures (counts only)",
    Perm.WARNING_VERIFY: "Verify early-warning alerts and record risk factors of a site",
    Perm.REPORTS_KEEP: (
        "record consultations, feedback sessions and site committees, and import WPS Index scores"
    ),
    Perm.CASES_SHARE: (
        "export anonymised trafficking cases (CTDC format) to a partner under an agreement"
    ),
    Perm.COMPLAINT_BREAK_GLASS: (
        "open one complaint for a few hours in an emergency (recorded; the coordinator is told)"
    ),
    Perm.CIVIL_REGISTER: (
        "declare, validate, register and correct births, marriages, divorces and deaths, "
        "and issue and revoke their documents"
    ),
    Perm.ADMINISTER: (
        "manage organisations, sites, users, memberships, two-factor devices, field passwords, "
        "API tokens and background jobs"
    ),
}


def _label(role: Role) -> str:
    return str(ROLE_LABELS[role])


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def generated_roles_tables() -> str:
    """The part of docs/roles.md that is the role table of roles.py, in English."""
    roles = list(Role)
    with translation.override("en"):
        labels = [_label(r) for r in roles]
        lines = [
            "| may … | " + " | ".join(labels) + " |",
            "|---|" + "---|" * len(roles),
        ]
        for perm in Perm:
            marks = ["✓" if perm in ROLE_PERMISSIONS[r] else "" for r in roles]
            lines.append(
                f"| {PERM_DESCRIPTIONS[perm]} (`{perm.value}`) | " + " | ".join(marks) + " |"
            )
        lines += [
            "",
            "| role | code | purpose recorded for its reads and writes | two-factor login "
            "| sees survivors' names in lists |",
            "|---|---|---|---|---|",
        ]
        for role, label in zip(roles, labels, strict=True):
            lines.append(
                f"| {label} | `{role.value}` | `{ROLE_PURPOSE[role]}` "
                f"| {_yes(role in ROLES_NEEDING_2FA)} | {_yes(role in ROLES_SEEING_SURVIVOR_NAMES)} |"
            )
    return "\n".join(lines)


def test_every_permission_is_described():
    assert set(PERM_DESCRIPTIONS) == set(Perm)


def test_roles_doc_is_the_role_table_of_roles_py():
    text = ROLES_DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, f"{ROLES_DOC} lost its generated block markers"
    before, rest = text.split(BEGIN, 1)
    _old, after = rest.split(END, 1)
    expected = f"{before}{BEGIN}\n{generated_roles_tables()}\n{END}{after}"
    if os.environ.get("SALAMA_UPDATE_DOCS") == "1":
        ROLES_DOC.write_text(expected, encoding="utf-8")
    assert text == expected, (
        "docs/roles.md differs from salama/core/roles.py: "
        "run SALAMA_UPDATE_DOCS=1 pytest tests/test_docs.py"
    )


def test_roles_doc_describes_every_role():
    text = ROLES_DOC.read_text(encoding="utf-8").split(BEGIN, 1)[0]
    with translation.override("en"):
        headings = {line[4:].strip() for line in text.splitlines() if line.startswith("### ")}
        assert headings == {_label(r) for r in Role}


FENCED = re.compile(r"^```.*?^```", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.M)


def links(path: Path) -> list[str]:
    text = INLINE_CODE.sub("", FENCED.sub("", path.read_text(encoding="utf-8")))
    return LINK.findall(text) + REFERENCE.findall(text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCED.sub("", path.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*$", text, re.M)}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_stays_in_the_repository_and_resolves(doc):
    for target in links(doc):
        if target.startswith("https://"):
            continue  # a public web page, not a file a clone lacks
        assert not re.match(r"^[a-z][a-z0-9+.-]*:", target), f"{doc.name}: {target}"
        assert not target.startswith("/"), f"{doc.name}: {target} is an absolute path"
        file_part, _hash, anchor = target.partition("#")
        resolved = (doc.parent / file_part).resolve() if file_part else doc
        assert resolved.is_relative_to(ROOT), f"{doc.name}: {target} leaves the repository"
        assert resolved.exists(), f"{doc.name}: {target} does not exist"
        if anchor and resolved.suffix == ".md":
            assert anchor in anchors(resolved), f"{doc.name}: no heading #{anchor} in {file_part}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_document_points_outside_the_clone(doc):
    """Developer notes outside the repository (../shared/...) are not in a user's clone."""
    text = doc.read_text(encoding="utf-8")
    for outside in ("../shared", "/work/", "PROTECTION.md", "STYLE.md", "BRIEF.md"):
        assert outside not in text, f"{doc.name} refers to {outside}"


def test_readme_links_into_the_docs():
    readme = links(ROOT / "README.md")
    for page in ("index.md", "roles.md", "security.md", "field-collection.md", "operations.md"):
        assert f"docs/{page}" in readme, page


def test_docs_index_links_every_page():
    index = {target.partition("#")[0] for target in links(ROOT / "docs" / "index.md")}
    pages = {p.name for p in (ROOT / "docs").glob("*.md")} - {"index.md"}
    assert pages <= index, pages - index


SETTING = re.compile(
    r"(?:envbool|envint|envlist|envsecret|os\.getenv|os\.environ\.get)\(\s*\"([A-Z][A-Z0-9_]+)\""
)
INTERNAL_SETTINGS = {"SALAMA_TESTING"}  # set by the test settings only


def test_operations_doc_names_every_environment_setting():
    sources = [
        ROOT / "salama" / "settings.py",
        ROOT / "salama" / "envutil.py",
        ROOT / "salama" / "lib" / "linkage" / "normalise.py",
    ]
    names = {n for src in sources for n in SETTING.findall(src.read_text(encoding="utf-8"))}
    assert {"SECRET_KEY", "DATABASE_URL", "SALAMA_DATA_DIR"} <= names
    table = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    missing = sorted(n for n in names - INTERNAL_SETTINGS if f"`{n}`" not in table)
    assert not missing, f"docs/operations.md does not describe {missing}"


# The README's "which login to try first" table, task by task: what the login must be
# able to do in the demo.
README_TASKS = {
    "register a household": Perm.HOUSEHOLD_CREATE,
    "screen a person": Perm.SCREENING_CREATE,
    "see and acknowledge alerts": Perm.ALERT_VIEW,
    "see the figures": Perm.AGGREGATE_VIEW,
    "manage organisations, sites and users": Perm.ADMINISTER,
    "see who read a person's record": Perm.AUDIT_VIEW,
    "take a missing-person report, work a tracing case": Perm.TRACING_REPORT,
    "open a protection case from an alert, refer with consent": Perm.CASE_WORK,
    "answer a referral from another organisation": Perm.REFERRAL_RECEIVE,
    "register a birth or a marriage, print its certificate": Perm.CIVIL_REGISTER,
    "receive and handle a complaint of sexual exploitation or abuse": Perm.COMPLAINT_RECEIVE,
}


def readme_logins() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([^|`]+?) \| `([\w.]+)` \|$", text, re.M)
    return {task: user for task, user in rows}


def test_readme_names_a_demo_login_for_each_task(db):
    from django.contrib.auth import get_user_model

    from salama.core import access
    from salama.core.demo import load_demo
    from salama.screening.access import alerts_for, statistics_rows

    logins = readme_logins()
    assert set(logins) == set(README_TASKS)
    load_demo(residents=300, seed=1)
    users = {u: get_user_model().objects.get(username=u) for u in logins.values()}
    for task, username in logins.items():
        assert access.has_perm(users[username], README_TASKS[task]), (task, username)
    assert alerts_for(users[logins["see and acknowledge alerts"]]).exists()
    assert statistics_rows(users[logins["see the figures"]])
    from salama.cases.access import incoming_for

    assert incoming_for(users[logins["answer a referral from another organisation"]]).exists()
    from salama.civil.access import events_for

    registrar = users[logins["register a birth or a marriage, print its certificate"]]
    assert events_for(registrar).filter(status="registered", certificates__isnull=False).exists()
