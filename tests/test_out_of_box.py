"""A fresh install, as a new user tries it: the real `salama` command in a clean
environment (no SECRET_KEY, no SALAMA_* variables) in an empty folder."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from salama.cli import is_database_free
from salama.envutil import DEMO_MARKER

SALAMA = Path(sys.executable).with_name("salama")
FIELD_KEY = "Yz6oJPzW5rXkqxyhJbTBb3Pjl2pG8z0Qm9V2o2Nq4uI="
PRODUCTION = {"SECRET_KEY": "p" * 60, "SALAMA_FIELD_KEYS": FIELD_KEY}


def salama(
    folder: Path, *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    clean = {
        "PATH": f"{SALAMA.parent}:/usr/bin:/bin",
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        **(env or {}),
    }
    return subprocess.run(
        [str(SALAMA), *args],
        cwd=folder,
        env=clean,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *names: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for name in names:
        assert name in lines[0]
    return lines[0]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path


def test_the_salama_command_is_installed():
    assert SALAMA.exists(), "pip install -e . installs the salama command beside python"


def test_screening_list_needs_no_configuration(folder):
    result = salama(folder, "screening", "list")
    assert result.returncode == 0, result.stderr
    assert "ilo-ec-delphi-labour" in result.stdout
    assert not (folder / "salama-data").exists()


def test_screening_evaluate_needs_no_configuration(folder):
    responses = [
        {
            "id": "r1",
            "profile": "adult",
            "answers": {"d1_nature_job": "yes", "d1_wages": "yes", "d4_hours": "yes"},
        }
    ]
    (folder / "responses.json").write_text(json.dumps(responses), encoding="utf-8")
    result = salama(
        folder, "screening", "evaluate", "--instrument", "ilo-ec-delphi-labour", "responses.json"
    )
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.strip().splitlines()
    assert json.loads(line)["id"] == "r1"
    assert not (folder / "salama-data").exists()


PEOPLE = (
    "id,given_name,father_name,family_name,sex,birth_year\n"
    "1,Ahmad,Khalil,Jubori,m,1980\n"
    "2,Ahmed,Khaleel,Al-Jubouri,m,1980\n"
    "3,Fatima,Omar,Hassan,f,1992\n"
)


def test_linkage_dedup_needs_no_configuration(folder):
    (folder / "people.csv").write_text(PEOPLE, encoding="utf-8")
    result = salama(folder, "linkage", "dedup", "people.csv", "--out", "pairs.csv")
    assert result.returncode == 0, result.stderr
    pairs = (folder / "pairs.csv").read_text(encoding="utf-8").splitlines()
    assert pairs[0] == "id_l,id_r,probability"
    assert [p.split(",")[:2] for p in pairs[1:]] == [["1", "2"]]
    assert not (folder / "salama-data").exists()


def test_linkage_link_and_search_need_no_configuration(folder):
    (folder / "a.csv").write_text(PEOPLE, encoding="utf-8")
    (folder / "b.csv").write_text(PEOPLE.replace("Jubori", "Jubouri"), encoding="utf-8")
    link = salama(folder, "linkage", "link", "a.csv", "b.csv", "--out", "links.csv")
    assert link.returncode == 0, link.stderr
    search = salama(
        folder, "linkage", "search", "--registry", "a.csv", "--queries", "b.csv", "--out", "r.csv"
    )
    assert search.returncode == 0, search.stderr
    assert (folder / "links.csv").exists() and (folder / "r.csv").exists()


def test_the_openapi_document_needs_no_configuration(folder):
    result = salama(folder, "export_openapi_schema", "--api", "salama.api.api")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["info"]["title"] == "Salama API"
    assert not (folder / "salama-data").exists()


def test_help_needs_no_configuration(folder):
    for args in ([], ["help"], ["audit", "--help"], ["serve", "--help"]):
        result = salama(folder, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert not (folder / "salama-data").exists()


def test_only_file_commands_are_database_free():
    assert is_database_free(["linkage", "dedup", "in.csv", "--out", "o.csv"])
    assert is_database_free(["screening", "evaluate", "--instrument", "x", "r.json"])
    assert is_database_free(["makemessages", "-l", "ar", "--no-location"])
    for args in (
        ["linkage", "scan", "--user", "admin"],
        ["linkage", "reindex"],
        ["audit", "verify"],
        ["serve"],
        ["runserver"],
        ["migrate"],
        ["screening"],
    ):
        assert not is_database_free(args), args


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    result = salama(folder, "demo", "--no-serve", "--residents", "50")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (folder / "salama-data" / DEMO_MARKER).is_file()
    return folder


def test_audit_verify_after_the_demo_in_the_same_folder(demo_folder):
    result = salama(demo_folder, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert "Audit chain intact" in result.stdout


def test_other_commands_after_the_demo_in_the_same_folder(demo_folder):
    scan = salama(demo_folder, "linkage", "scan", "--user", "admin")
    assert scan.returncode == 0, scan.stderr
    field = salama(
        demo_folder, "fieldpassword", "caseworker", "--password-stdin", stdin="field-pass-8642\n"
    )
    assert field.returncode == 0, field.stderr
    added = salama(
        demo_folder,
        "adduser",
        "newcomer",
        "--organisation",
        "CMA",
        "--role",
        "registration_officer",
        "--site",
        "AMC",
        "--password-stdin",
        stdin="a-long-new-password-7531\n",
    )
    assert added.returncode == 0, added.stderr


def test_production_server_refuses_the_demo_folder(demo_folder):
    line = assert_one_line_error(salama(demo_folder, "serve", "--port", "8769"), "salama demo")
    assert "demo" in line and "production" in line


def test_production_server_refuses_demo_mode(folder):
    result = salama(folder, "serve", "--port", "8769", env={**PRODUCTION, "SALAMA_DEMO": "true"})
    assert_one_line_error(result, "SALAMA_DEMO")


def test_a_wsgi_server_in_the_demo_folder_still_needs_a_secret(demo_folder):
    """Only the `salama` command recognises the demo's folder: a WSGI server importing
    the application there gets production settings and no secret, and stops."""
    result = subprocess.run(
        [sys.executable, "-c", "import salama.wsgi"],
        cwd=demo_folder,
        env={"PATH": "/usr/bin:/bin", "HOME": str(demo_folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


def test_an_empty_folder_is_not_a_demo(folder):
    line = assert_one_line_error(salama(folder, "audit", "verify"), "SECRET_KEY")
    assert "set SECRET_KEY_FILE" in line
    assert not (folder / "salama-data").exists()


def test_a_production_folder_is_not_a_demo(folder):
    made = salama(folder, "migrate", "--verbosity", "0", env=PRODUCTION)
    assert made.returncode == 0, made.stderr
    assert (folder / "salama-data" / "salama.sqlite3").exists()
    assert_one_line_error(salama(folder, "audit", "verify"), "SECRET_KEY")
    refused = salama(folder, "demo", "--no-serve", "--residents", "50")
    assert_one_line_error(refused, "not made by `salama demo`", "SALAMA_DATA_DIR")
    assert not (folder / "salama-data" / DEMO_MARKER).exists()


def test_the_demo_marker_does_not_count_with_another_database(folder, demo_folder):
    data = folder / "salama-data"
    data.mkdir()
    shutil.copy(demo_folder / "salama-data" / DEMO_MARKER, data / DEMO_MARKER)
    elsewhere = {"DATABASE_URL": "postgres://salama@127.0.0.1:1/salama"}
    assert_one_line_error(salama(folder, "audit", "verify", env=elsewhere), "SECRET_KEY")
    assert_one_line_error(salama(folder, "demo", "--no-serve", env=elsewhere), "DATABASE_URL")


@pytest.mark.parametrize(
    "url",
    [
        "mysql://salama:hunter2@db.example.org/salama",
        "postgres://salama:hunter2@db.example.org:port/salama",
        "db.example.org/salama",
    ],
)
def test_a_bad_database_url_is_one_line(folder, url):
    line = assert_one_line_error(
        salama(folder, "audit", "verify", env={**PRODUCTION, "DATABASE_URL": url}), "DATABASE_URL"
    )
    assert "hunter2" not in line


def test_an_unreachable_database_is_one_line(folder):
    env = {**PRODUCTION, "DATABASE_URL": "postgres://salama:hunter2@127.0.0.1:1/salama"}
    line = assert_one_line_error(salama(folder, "audit", "verify", env=env), "DATABASE_URL")
    assert "hunter2" not in line


def test_an_unreadable_secret_file_is_one_line(folder):
    env = {**PRODUCTION, "SECRET_KEY": "", "SECRET_KEY_FILE": str(folder / "missing")}
    assert_one_line_error(salama(folder, "audit", "verify", env=env), "SECRET_KEY_FILE")


def test_missing_field_keys_are_one_line(folder):
    env = {"SECRET_KEY": "p" * 60}
    line = assert_one_line_error(salama(folder, "audit", "verify", env=env), "SALAMA_FIELD_KEYS")
    assert "Fernet" in line


def test_a_bad_value_is_one_line(folder):
    env = {**PRODUCTION, "SALAMA_HTTPS": "maybe"}
    assert_one_line_error(salama(folder, "audit", "verify", env=env), "SALAMA_HTTPS")


def test_a_bad_field_key_is_one_line_without_the_key(folder):
    env = {**PRODUCTION, "SALAMA_FIELD_KEYS": f"{FIELD_KEY},not-a-fernet-key"}
    line = assert_one_line_error(salama(folder, "audit", "verify", env=env), "SALAMA_FIELD_KEYS")
    assert "key 2 of 2" in line and "not-a-fernet-key" not in line and FIELD_KEY not in line


def test_an_earlier_secret_key_still_reads_what_it_signed(folder):
    """Rotating SECRET_KEY (docs/operations.md): the old key in SECRET_KEY_FALLBACKS."""
    code = (
        "import django; django.setup(); from django.core import signing; "
        "token = signing.dumps('kept', key='o' * 60); print(signing.loads(token))"
    )
    env = {
        **PRODUCTION,
        "DJANGO_SETTINGS_MODULE": "salama.settings",
        "SALAMA_DATA_DIR": str(folder),
        "PATH": "/usr/bin:/bin",
    }
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode != 0 and "BadSignature" in run.stderr
    env["SECRET_KEY_FALLBACKS"] = "x" * 60 + ",\n" + "o" * 60
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "kept"


def test_traceback_on_request(folder):
    result = salama(folder, "audit", "verify", "--traceback")
    assert result.returncode != 0 and "Traceback" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_a_port_in_use_is_one_line(demo_folder):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = salama(demo_folder, "demo", "--port", port)
    assert_one_line_error(result, "--port")
