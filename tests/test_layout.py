"""Static files as production serves them (fingerprinted, compressed, cached for a year),
and the page frame that folds on phones without script. The layout itself is checked
in Chromium by tests/browser/test_layout_in_browser.py."""

import gzip
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client, override_settings

import salama.settings as production
from tests.conftest import signed_in

SOURCE = Path(production.BASE_DIR) / "static"
ONE_YEAR = 365 * 24 * 3600


@pytest.fixture(scope="module")
def collected_root(tmp_path_factory):
    """The production storage, collected once into a fresh folder."""
    root = tmp_path_factory.mktemp("collected") / "static"
    with override_settings(STORAGES=production.STORAGES, STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def collected(settings, collected_root):
    """Pages and static files served as in production: from the collected folder only."""
    settings.STORAGES = production.STORAGES
    settings.STATIC_ROOT = collected_root
    settings.WHITENOISE_USE_FINDERS = False
    return collected_root


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def test_pages_name_fingerprinted_static_files(db, collected):
    urls = static_urls(Client().get("/accounts/login/").content.decode())
    names = {re.sub(r"\.[0-9a-f]{12}\.", ".", url.rsplit("/", 1)[1]): url for url in urls}
    assert set(names) == {"salama.css", "htmx.min.js", "salama.js"}
    assert all(re.search(r"\.[0-9a-f]{12}\.(css|js)$", url) for url in urls), urls


def test_htmx_is_served_compressed_and_cached_for_a_year(db, collected):
    client = Client()
    html = client.get("/accounts/login/").content.decode()
    (htmx,) = [url for url in static_urls(html) if "/htmx.min." in url]
    response = client.get(htmx, HTTP_ACCEPT_ENCODING="gzip, deflate")
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == (SOURCE / "htmx.min.js").read_bytes()
    assert len(body) < 20_000  # 52 KB uncompressed
    cache_control = response["Cache-Control"]
    assert "immutable" in cache_control and "public" in cache_control
    max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
    assert max_age >= ONE_YEAR
    # A client that does not accept gzip gets the plain file.
    plain = client.get(htmx)
    assert "Content-Encoding" not in plain
    assert b"".join(plain.streaming_content) == (SOURCE / "htmx.min.js").read_bytes()


def test_the_stylesheet_is_compressed_too(db, collected):
    client = Client()
    html = client.get("/accounts/login/").content.decode()
    (css,) = [url for url in static_urls(html) if url.endswith(".css")]
    response = client.get(css, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip" and "immutable" in response["Cache-Control"]
    assert response["Content-Type"].startswith("text/css")


def test_the_demo_collects_static_files(world, settings, tmp_path):
    """`salama demo` serves what it collected: without collecting, every page would fail
    for want of the manifest. (The world's organisations stop it loading demo data.)"""
    settings.STORAGES = production.STORAGES
    settings.DATA_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("demo", no_serve=True, stdout=io.StringIO())
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    hashed = re.search(r'"htmx\.min\.js": "(htmx\.min\.[0-9a-f]{12}\.js)"', manifest).group(1)
    assert (tmp_path / "static" / f"{hashed}.gz").exists()


def test_the_menu_folds_without_script(world):
    """The header's links and tools sit in a <details> whose <summary> is the menu button,
    so a phone opens it without JavaScript."""
    html = signed_in(world.user("admin")).get("/").content.decode()
    header = html[html.index('<header class="top">') : html.index("</header>")]
    menu = re.search(
        r'<details class="menu">\s*<summary>(.*?)</summary>(.*)</details>', header, re.S
    )
    assert menu and "Menu" in menu.group(1)
    for link in ("/registry/persons/", "/notifications/", "/admin/", 'name="language"'):
        assert link in menu.group(2), link
    assert "Sign out" in menu.group(2)


def test_signed_out_the_language_choice_is_not_folded(db):
    html = Client().get("/accounts/login/").content.decode()
    header = html[html.index('<header class="top">') : html.index("</header>")]
    assert "<details" not in header and 'name="language"' in header


def test_the_server_error_page_fits_a_phone_without_static_files():
    """The 500 page stands alone (a broken static setup must not break it too) and is
    sized for the phone's screen rather than a 980 px desktop page."""
    html = render_to_string("500.html")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "/static/" not in html and "{%" not in html


def test_the_menu_has_one_person_search(world):
    """The people list is the fuzzy search with an exact-text mode: the menu names it once."""
    html = signed_in(world.user("registrar")).get("/").content.decode()
    header = html[html.index('<header class="top">') : html.index("</header>")]
    assert header.count('href="/registry/persons/"') == 1
    assert "/registry/persons/find/" not in header


def test_pages_ask_for_no_favicon(world):
    """Without an icon link every page asked for /favicon.ico and got a 404."""
    page = Client().get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="data:,">' in page
