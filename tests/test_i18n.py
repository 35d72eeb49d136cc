"""English, Arabic (right to left) and French."""

from django.test import Client

from tests.conftest import signed_in


def test_arabic_is_right_to_left_and_translated(world):
    client = Client()
    client.post("/i18n/setlang/", {"language": "ar", "next": "/accounts/login/"})
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="ar" dir="rtl"' in page
    assert "تسجيل الدخول" in page


def test_french_is_translated(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    page = client.get("/accounts/login/").content.decode()
    assert 'lang="fr" dir="ltr"' in page
    assert "Se connecter" in page


def test_names_shown_in_the_chosen_script(world, amc_person):
    client = signed_in(world.user("registrar"))
    assert "Mohammed Ali Al-Hassan" in client.get("/registry/persons/").content.decode()
    client.post("/accounts/preferences/", {"name_script": "original"})
    assert "محمد علي الحسن" in client.get("/registry/persons/").content.decode()


def test_pages_are_light(world, amc_person):
    """A page and everything it loads stay under 100 KB, for poor connections. Static
    files travel gzip-compressed (WhiteNoise, tests/test_layout.py); pages do not."""
    import gzip
    import re
    from pathlib import Path

    from django.contrib.staticfiles import finders

    client = signed_in(world.user("registrar"))
    for url in (
        "/",
        "/registry/persons/",
        f"/registry/persons/{amc_person.pk}/",
        "/registry/households/new/",
    ):
        html = client.get(url).content.decode()
        assets = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
        sent = [len(gzip.compress(Path(finders.find(a)).read_bytes())) for a in assets]
        total = len(html.encode()) + sum(sent)
        assert assets and total < 100_000, (url, total)


def po_entries(text: str) -> list[tuple[str, str]]:
    """(msgid, first msgstr) pairs of a .po file, continuation lines joined."""
    entries, key, values = [], None, {}
    for line in text.splitlines() + [""]:
        if line.startswith(("msgid ", "msgid_plural ", "msgstr ", "msgstr[")):
            key, _, rest = line.partition(" ")
            values[key] = rest.strip('"')
        elif line.startswith('"') and key:
            values[key] += line.strip('"')
        elif not line.strip():
            if "msgid" in values:
                entries.append((values["msgid"], values.get("msgstr", values.get("msgstr[0]", ""))))
            key, values = None, {}
    return [(msgid, msgstr) for msgid, msgstr in entries if msgid]


def test_every_message_is_translated_in_arabic_and_french():
    from pathlib import Path

    import salama

    for lang in ("ar", "fr"):
        text = (
            Path(salama.__file__).parent / "locale" / lang / "LC_MESSAGES" / "django.po"
        ).read_text("utf-8")
        entries = po_entries(text)
        assert len(entries) > 200
        assert [msgid for msgid, msgstr in entries if not msgstr] == [], lang
        assert "#, fuzzy" not in text


def test_every_source_string_is_in_the_catalogues(tmp_path):
    """Run makemessages on a copy of the code; every message it finds must
    already be in our catalogues (needs GNU gettext; CI installs it)."""
    import os
    import shutil
    from pathlib import Path

    import pytest
    from django.core.management import call_command

    import salama

    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("xgettext is missing; .ci/run installs gettext")
        pytest.skip("GNU gettext is not installed")
    source = Path(salama.__file__).parent
    copy = tmp_path / "salama"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["fr"], no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    ours = dict(po_entries((source / "locale/fr/LC_MESSAGES/django.po").read_text("utf-8")))
    found = {
        msgid
        for msgid, _ in po_entries((copy / "locale/fr/LC_MESSAGES/django.po").read_text("utf-8"))
    }
    assert sorted(m for m in found if not ours.get(m)) == []


def test_the_language_menu_names_each_language_in_itself(client):
    """A reader lost in a page they cannot read finds their language by its own name."""
    for cookie in ("en", "ar", "fr"):
        client.cookies.load({"django_language": cookie})
        page = client.get("/accounts/login/").content.decode()
        assert 'lang="ar">العربيّة<' in page and 'lang="fr">Français<' in page
        assert 'lang="en">English<' in page
