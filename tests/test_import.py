"""Import from CSV or XLSX: checked with progress, all or nothing, errors by row and column."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from salama.jobs.api import run_pending_jobs
from salama.registry.models import Household, ImportJob, Person
from tests.conftest import signed_in

HEADER = "household_ref,site_code,shelter,relationship,given_name,given_name_latin,family_name_latin,sex,birth_date,stated_age,nationality,specific_needs,document_type,document_number\n"
GOOD = HEADER + (
    "H1,AMC-Z1A,C-3,head,أحمد,Ahmad,Al-Ali,M,1980-01-05,,SY,,national_id,123456\n"
    "H1,AMC-Z1A,C-3,spouse,,Huda,Al-Ali,F,,38,SY,,,\n"
    "H1,AMC-Z1A,C-3,child,,Omar,Al-Ali,M,2015-07-01,,SY,CR-LW,,\n"
    "H2,AMC-Z1A,C-4,head,,Abdi,Farah,M,,16,SO,SC-UC,,\n"
)


def upload(client, content: bytes, name: str = "registry.csv", **bases):
    data = {
        "file": SimpleUploadedFile(name, content),
        "basis_registration": "public_interest",
        "basis_protection": "vital_interest",
        **bases,
    }
    return client.post("/registry/import/", data)


def run_job(client, response):
    job_url = response["Location"]
    assert client.get(job_url).status_code == 200
    run_pending_jobs()  # the check is a background job; the page polls its progress
    partial = client.get(job_url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial, "the check did not finish"
    return ImportJob.objects.get(), partial


def commit(client, job):
    client.post(f"/registry/import/{job.pk}/commit/")
    run_pending_jobs()  # the import is a background job


def test_a_valid_file_imports_everyone_once_confirmed(world):
    client = signed_in(world.user("registrar"))
    job, page = run_job(client, upload(client, GOOD.encode()))
    assert job.status == "ready" and "All 4 rows are valid" in page
    assert Person.objects.count() == 0  # nothing until confirmed
    commit(client, job)
    job.refresh_from_db()
    assert (job.status, job.imported_households, job.imported_people) == ("imported", 2, 4)
    assert job.rows == []  # the uploaded data is not kept
    assert Household.objects.count() == 2
    child = Person.objects.get(given_name_latin="Omar")
    assert child.specific_needs == ["CR-LW"] and child.household.shelter == "C-3"
    assert Person.objects.get(given_name_latin="Ahmad").documents.get().number == "123456"


def test_errors_are_listed_by_row_and_column_and_nothing_is_imported(world):
    bad = (
        GOOD
        + "H3,AMC-Z1A,,head,,Sara,Haddad,Q,,,SY,,,\nH4,HOP-Z1A,,head,,Layla,Zoubi,F,2999-01-01,,SY,,,\nH1,AMC-Z1A,,head,,Second,Head,M,,40,SY,,,\n"
    )
    client = signed_in(world.user("registrar"))
    job, page = run_job(client, upload(client, bad.encode()))
    assert job.status == "invalid"
    found = {(e["row"], e["column"]) for e in job.errors}
    assert (6, "sex") in found
    assert (7, "site_code") in found and (7, "birth_date") in found  # HOP is not the registrar's
    assert (8, "relationship") in found  # a second head in H1
    assert "nothing was imported" in page
    assert client.post(f"/registry/import/{job.pk}/commit/").status_code == 302
    assert Person.objects.count() == 0


def test_xlsx_is_read_like_csv(world):
    book = openpyxl.Workbook()
    sheet = book.active
    for line in GOOD.strip().splitlines():
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    client = signed_in(world.user("registrar"))
    job, _page = run_job(client, upload(client, buffer.getvalue(), "registry.xlsx"))
    assert job.status == "ready", job.errors


def test_unreadable_files_get_a_clear_error(world):
    client = signed_in(world.user("registrar"))
    assert "Upload a .csv or .xlsx file" in upload(client, b"x", "a.txt").content.decode()
    assert "must name the columns" in upload(client, b"name,age\nA,3\n").content.decode()
    assert (
        "Unknown columns: colour"
        in upload(client, b"household_ref,colour\nH1,red\n").content.decode()
    )
    assert "not UTF-8" in upload(client, "household_ref\nÉ\n".encode("latin-1")).content.decode()
    assert ImportJob.objects.count() == 0


def test_only_importers_and_only_the_uploader_see_a_job(world):
    client = signed_in(world.user("registrar"))
    response = upload(client, GOOD.encode())
    assert signed_in(world.user("caseworker")).get("/registry/import/").status_code == 404
    assert signed_in(world.user("admin")).get(response["Location"]).status_code == 404


def test_a_large_file_is_checked_in_chunks(world):
    rows = "".join(f"H{i},AMC-Z1A,,head,,Name{i},Fam,M,,30,SY,,,\n" for i in range(900))
    client = signed_in(world.user("registrar"))
    response = upload(client, (HEADER + rows).encode())
    first = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "Checked 0 of 900 rows" in first and "<progress" in first and "hx-trigger" in first
    job, _ = run_job(client, response)
    assert job.status == "ready" and job.checked == 900


def test_command_line_import(world, tmp_path, capsys):
    path = tmp_path / "registry.csv"
    path.write_text(GOOD, encoding="utf-8")
    call_command("import_registry", str(path), "--user", "registrar")
    assert Person.objects.count() == 4
    assert "Imported 4 people in 2 households" in capsys.readouterr().out


def test_an_import_gives_sqlite_planner_statistics(world, django_capture_on_commit_callbacks):
    from django.db import connection

    from salama.core.database import refresh_planner_statistics

    client = signed_in(world.user("registrar"))
    job, _ = run_job(client, upload(client, GOOD.encode()))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        commit(client, job)
    assert refresh_planner_statistics in callbacks
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT tbl FROM sqlite_stat1")
            assert "registry_person" in {row[0] for row in cursor.fetchall()}
