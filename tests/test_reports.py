"""Reports by the four pillars (issue 14, sections 3 and 4): figures with their
definitions, small cells hidden with secondary suppression, the dashboard and
its PDF in three languages, the HXL and differentially private downloads, the
participation records, WPS Index scores and the case-level CTDC export under
an agreement, with planted canaries that never leave."""

import csv
import io
from datetime import date, timedelta
from typing import Any

import hxl
import pytest
from django.utils import timezone
from pypdf import PdfReader

from salama.jobs.api import run_pending_jobs
from salama.lib import sealed
from salama.privacy.models import ExportFile, SharingAgreement
from salama.reports import figures
from salama.reports.models import Consultation, Release, WpsScore
from salama.warning.models import Alert
from tests.conftest import person_fields, register, signed_in
from tests.test_cases import open_case, stored_screening

CANARY = "Zqvcanaryname"
PASSWORD = "tulip river copper 42"
COUNT_COLUMNS = (
    "#affected",
    "#affected+f",
    "#affected+m",
    "#affected+children",
    "#affected+adults",
    "#reached",
)


def _people(world: Any, n: int, sex: str = "F", **fields: Any) -> list[Any]:
    persons = []
    for i in range(n):
        member = person_fields(given_name_latin=f"{CANARY}{i}", sex=sex, **fields)
        persons.append(register(world, world.amc_block, member).members.get())
    return persons


def _period() -> dict[str, str]:
    today = timezone.localdate()
    return {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}


def _query(world: Any) -> str:
    p = _period()
    return f"site={world.amc.pk}&start={p['start']}&end={p['end']}"


def _figure(report: figures.Report, key: str) -> figures.Figure:
    return next(f for f in report.figures() if f.key == key)


@pytest.fixture
def camp(world: Any) -> Any:
    """Twelve women and three men at Amal who allow statistics, one woman who
    does not, and a feedback session."""
    _people(world, 12, "F")
    _people(world, 3, "M")
    register(
        world,
        world.amc_block,
        person_fields(given_name_latin=CANARY, sex="F"),
        bases={"registration": "public_interest", "protection": "vital_interest"},
    )
    Consultation.objects.create(
        site=world.amc,
        site_path=world.amc.path,
        organisation=world.ngo,
        kind="feedback",
        held_on=timezone.localdate(),
        women=14,
        girls=2,
        topics=f"{CANARY} asked about lighting",
        recorded_at=timezone.now(),
    )
    return world


def test_figures_count_only_people_who_allow_statistics_and_hide_small_cells(camp: Any) -> None:
    today = timezone.localdate()
    report = figures.pillar_report(camp.amc, today - timedelta(days=30), today, 11)
    registered = _figure(report, "registered")
    assert registered.value == 15  # the woman without a statistics basis is not counted
    by_sex = dict(registered.breakdowns[0].rows)
    # Three men are hidden (1-10), and the women too: 15 - 12 would give them away.
    assert by_sex["M"] is None and by_sex["F"] is None
    assert report.tally.hidden_small >= 1 and report.tally.hidden_secondary >= 1
    participants = dict(_figure(report, "participants").breakdowns[0].rows)
    assert participants["women"] is None and participants["girls"] is None  # 14 beside 2
    assert _figure(report, "consultations").value == 1  # meetings are not suppressed
    for figure in report.figures():
        assert str(figure.definition.label) and len(str(figure.definition.text)) > 20
        if figure.unit == "count" and figure.definition.suppressed:
            cells = [figure.value] + [n for b in figure.breakdowns for _c, n in b.rows]
            assert not [n for n in cells if n is not None and 0 < n < 11], figure.key


def test_the_dashboard_shows_every_pillar_with_svg_charts_in_arabic_too(camp: Any) -> None:
    analyst = signed_in(camp.user("analyst"))
    page = analyst.get(f"/reports/?{_query(camp)}")
    text = page.content.decode()
    assert page.status_code == 200
    for heading in ("Prevention", "Protection", "Participation", "Relief and recovery"):
        assert heading in text
    main = text.split("<main", 1)[1]
    assert "<svg" in main and "<script" not in main and CANARY not in text
    assert "Residents registered" in text and "legal basis allows statistics" in text
    analyst.cookies.load({"django_language": "ar"})
    arabic = analyst.get(f"/reports/?{_query(camp)}").content.decode()
    assert 'dir="rtl"' in arabic and "<svg" in arabic
    assert analyst.get("/reports/?start=2026-05-01&end=2026-01-01").status_code == 400
    # The next report starts at the site reported on last.
    block = camp.amc_block.pk
    assert analyst.get(f"/reports/?site={block}").status_code == 200
    assert f'<option value="{block}" selected>' in analyst.get("/reports/").content.decode()


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_pdf_report_prints_each_figure_and_is_logged(camp: Any, language: str) -> None:
    response = signed_in(camp.user("analyst")).get(f"/reports/pdf/?{_query(camp)}&lang={language}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert CANARY not in text and "11" in text
    if language == "en":
        assert "Counts between 1 and 10 are hidden" in text
        assert "Residents registered" in text and "Relief and recovery" in text
    release = Release.objects.get()
    assert (release.kind, release.k, release.user.username) == ("pdf", 11, "analyst")
    assert release.hidden >= 2


def test_the_hxl_download_is_valid_hxl_with_its_disclosure_note_and_no_small_cell(
    camp: Any,
) -> None:
    response = signed_in(camp.user("analyst")).get(f"/reports/hxl/?{_query(camp)}")
    assert response.status_code == 200
    body = response.content.decode()
    assert CANARY not in body
    dataset = hxl.data(list(csv.reader(io.StringIO(body))))
    tags = {column.display_tag for column in dataset.columns}
    assert {
        "#affected+f",
        "#affected+m",
        "#affected+children",
        "#reached",
        "#meta+disclosure",
    } <= tags
    rows = list(dataset)
    assert rows and all(r.get("#meta+disclosure").startswith("k=11;") for r in rows)
    for row in rows:
        for tag in COUNT_COLUMNS:
            value = row.get(tag)
            if value not in (None, ""):
                assert not 0 < int(value) < 11, (row.get("#indicator+code"), tag, value)
    registered = next(r for r in rows if r.get("#indicator+code") == "registered")
    assert registered.get("#affected") == "15" and registered.get("#affected+m") in (None, "")
    assert Release.objects.get().kind == "hxl"


def test_differentially_private_counts_record_their_budget(camp: Any) -> None:
    client = signed_in(camp.user("analyst"))
    p = _period()
    response = client.post("/reports/dp/", {"site": camp.amc.pk, **p, "epsilon": "0.5"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][-1] == "#meta+disclosure" and "OpenDP discrete Laplace" in rows[2][-1]
    release = Release.objects.get()
    queries = int(release.mechanism.split("; ")[-1].split()[0])
    assert release.kind == "dp" and "epsilon=0.5 per query" in release.mechanism and queries >= 10
    assert release.epsilon == pytest.approx(0.5 * queries)
    refused = client.post("/reports/dp/", {"site": camp.amc.pk, **p, "epsilon": "0"})
    assert refused.status_code == 302 and Release.objects.count() == 1


def test_a_site_spends_at_most_its_yearly_privacy_budget(camp: Any, settings: Any) -> None:
    client = signed_in(camp.user("analyst"))
    ask = {"site": camp.amc.pk, **_period(), "epsilon": "1"}
    first = client.post("/reports/dp/", ask)
    assert first.status_code == 200
    spent = Release.objects.get().epsilon
    settings.SALAMA_DP_EPSILON_PER_YEAR = int(spent * 1.5)
    refused = client.post("/reports/dp/", ask, follow=True)
    assert (
        "left of the site" in refused.content.decode() and "text/csv" not in refused["Content-Type"]
    )
    assert Release.objects.count() == 1
    # A zone of the camp counts the same people: it shares the camp's budget.
    zone = {**ask, "site": camp.amc_block.parent_id}
    assert "left of the site" in client.post("/reports/dp/", zone, follow=True).content.decode()
    assert Release.objects.count() == 1
    # A year later the budget is whole again.
    Release.objects.update(released_at=timezone.now() - timedelta(days=366))
    assert client.post("/reports/dp/", ask).status_code == 200
    assert Release.objects.count() == 2


def test_participation_records_are_kept_by_their_organisation(camp: Any) -> None:
    officer = signed_in(camp.user("protection"))
    day = timezone.localdate().isoformat()
    empty = officer.post(
        "/reports/participation/",
        {"record": "consultation", "site": camp.amc.pk, "kind": "consultation", "held_on": day,
         "women": 0, "girls": 0, "men": 0, "boys": 0, "topics": "Water"},
    )  # fmt: skip
    assert empty.status_code == 400 and "participants" in empty.content.decode()
    saved = officer.post(
        "/reports/participation/",
        {"record": "consultation", "site": camp.amc.pk, "kind": "consultation", "held_on": day,
         "women": 12, "girls": 0, "men": 3, "boys": 0, "topics": "Water", "decisions": "A tap"},
    )  # fmt: skip
    assert saved.status_code == 302 and Consultation.objects.count() == 2
    too_many = officer.post(
        "/reports/participation/",
        {"record": "committee", "site": camp.amc.pk, "name": "Camp", "as_of": day, "members": 4, "women": 5},
    )  # fmt: skip
    assert too_many.status_code == 400 and "more than the members" in too_many.content.decode()
    # The UN agency's officer at the same camp sees neither record.
    other = signed_in(camp.user("protection_un")).get("/reports/participation/").content.decode()
    assert "A tap" not in other and "lighting" not in other
    assert signed_in(camp.user("analyst")).get("/reports/participation/").status_code == 404


def test_wps_scores_import_whole_or_not_at_all_and_show_beside_the_figures(camp: Any) -> None:
    camp.country.code = "SD"
    camp.country.save()
    officer = signed_in(camp.user("protection"))

    def upload(text: str) -> Any:
        return officer.post(
            "/reports/wps/", {"file": io.BytesIO(text.encode())}, format="multipart"
        )

    bad = upload("edition,country_iso3,score,rank\n2023/24,SDN,0.441,172\n2023/24,XX,0.5,1\n")
    assert bad.status_code == 400 and "row 2" in bad.content.decode()
    assert not WpsScore.objects.exists()
    assert upload("edition,country_iso3,score,rank\n2023/24,SDN,0.441,172\n").status_code == 302
    page = signed_in(camp.user("analyst")).get(f"/reports/?{_query(camp)}").content.decode()
    assert "SDN" in page and "0.4410" in page
    assert signed_in(camp.user("analyst")).post("/reports/wps/", {}).status_code == 404


@pytest.fixture
def trafficking_cases(world: Any) -> list[Any]:
    people = _people(world, 12, "F", birth_date=date(1995, 3, 1), nationality="SD")
    return [open_case(world, p, case_type="trafficking") for p in people]


def _statistics_agreement(world: Any, recipient: str = "CTDC") -> SharingAgreement:
    return SharingAgreement.objects.create(
        from_organisation=world.ngo,
        recipient_name=recipient,
        recipient_kind="un_agency",
        purposes=["statistics"],
        starts_on=date(2026, 1, 1),
        ends_on=date(2030, 12, 31),
        signatory="Head of office",
        created_by=world.user("admin"),
    )


def test_the_ctdc_export_needs_an_agreement_and_leaves_k_anonymous_and_sealed(
    world: Any, trafficking_cases: list[Any]
) -> None:
    officer = signed_in(world.user("protection"))
    assert (
        "No data-sharing agreement in force" in officer.get("/reports/releases/").content.decode()
    )
    agreement = _statistics_agreement(world)
    ask = officer.post(
        "/reports/releases/",
        {"agreement": str(agreement.pk), "password1": PASSWORD, "password2": PASSWORD},
    )
    assert ask.status_code == 302
    run_pending_jobs()
    export = ExportFile.objects.get(kind="ctdc")
    assert export.status == "ready" and export.sealing_password == ""
    raw = b"".join(officer.get(f"/privacy/exports/{export.pk}/download/").streaming_content)
    files = sealed.unseal(raw, PASSWORD)
    text = files["salama-ctdc.csv"].decode("utf-8-sig")
    assert CANARY not in text and "1995" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 12 and {r["gender"] for r in rows} == {"Female"}
    release = Release.objects.get(kind="ctdc")
    assert (release.records, release.suppressed, release.k) == (12, 0, 11)
    assert "12 records, 0 suppressed" in files["README.txt"].decode()
    # Another organisation, with no agreement of its own, cannot ask for it.
    other = signed_in(world.user("protection_un")).post(
        "/reports/releases/",
        {"agreement": str(agreement.pk), "password1": PASSWORD, "password2": PASSWORD},
    )
    assert other.status_code == 400 and ExportFile.objects.filter(kind="ctdc").count() == 1


def test_an_ended_agreement_stops_the_export_job(world: Any, trafficking_cases: list[Any]) -> None:
    agreement = _statistics_agreement(world)
    officer = signed_in(world.user("protection"))
    officer.post(
        "/reports/releases/",
        {"agreement": str(agreement.pk), "password1": PASSWORD, "password2": PASSWORD},
    )
    agreement.ended_on = timezone.localdate()
    agreement.save()
    run_pending_jobs()
    assert ExportFile.objects.get(kind="ctdc").status == "failed"


def test_the_figures_api_gives_definitions_and_hides_small_cells(camp: Any) -> None:
    answer = signed_in(camp.user("analyst")).get("/api/v1/reports/figures?site=AMC")
    assert answer.status_code == 200
    body = answer.json()
    assert [p["key"] for p in body["pillars"]] == [
        "prevention",
        "protection",
        "participation",
        "recovery",
    ]
    registered = body["pillars"][0]["figures"][0]
    assert registered["value"] == 15 and registered["definition"]
    assert dict(map(tuple, registered["breakdowns"][0]["rows"]))["M"] is None
    assert (
        signed_in(camp.user("analyst")).get("/api/v1/reports/figures?site=HOP").status_code == 422
    )
    assert signed_in(camp.user("registrar")).get("/api/v1/reports/figures").status_code == 404


def test_the_demo_alerts_show_in_the_prevention_pillar(world: Any) -> None:
    now = timezone.now()
    for outcome in ("confirmed", "false_alarm"):
        Alert.objects.create(
            site=world.amc, site_path=world.amc.path, signal="survival_sex" if outcome == "confirmed" else "held",
            week=timezone.localdate(), observed=9, expected=1, upper=3, score=4, method="rolling-nb",
            raised_at=now, verify_by=now, outcome=outcome,
        )  # fmt: skip
    today = timezone.localdate()
    report = figures.pillar_report(world.amc, today - timedelta(days=7), today, 11)
    assert _figure(report, "alerts").value == 2
    assert _figure(report, "false_alarm_rate").value == 50


def _screened(world: Any, person: Any, items: list[str]) -> str:
    screening = stored_screening(
        world, person, instrument="salama-vulnerability", sex="F", items=items
    )
    return str(screening.pk)


def test_ctdc_rows_take_exploitation_and_means_from_the_cases_own_screening(world: Any) -> None:
    from salama.reports.sharing import ctdc_cases

    first, second, third = _people(world, 3, "F")
    open_case(
        world,
        first,
        source_kind="screening",
        source_id=_screened(world, first, ["survival_sex", "debt_bondage", "d2_abduction"]),
    )
    # A case pointing at another person's screening takes nothing from it.
    open_case(
        world,
        second,
        source_kind="screening",
        source_id=_screened(world, first, ["self_forced_work"]),
    )
    open_case(world, third)
    from salama.cases.models import ProtectionCase

    ProtectionCase.objects.update(case_type="trafficking")
    rows = {r["is_abduction"]: r for r in ctdc_cases(world.ngo.pk)}
    facts = list(ctdc_cases(world.ngo.pk))
    assert len(facts) == 3
    assert rows[True]["exploitation_types"] == ["sexual_exploitation"]
    assert rows[True]["means_of_control"] == ["debt_bondage"]
    assert [f["exploitation_types"] for f in facts].count([]) == 2
