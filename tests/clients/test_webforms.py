"""ODK Web Forms' engine (@getodk/xforms-engine, the engine behind ODK's web
client), running in Node with jsdom, downloads a Salama form, fills it,
prepares the submission payload and submits it; it is stored and scored."""

import json
import subprocess
from pathlib import Path

import pytest

from salama.screening.models import Screening, Submission
from tests.clients.conftest import FIELD_PASSWORD, require
from tests.conftest import register, signed_in

HERE = Path(__file__).parent / "webforms"


@pytest.fixture(scope="module")
def node_client() -> list[str]:
    node, npm = require("node"), require("npm")
    if not (HERE / "node_modules/@getodk/xforms-engine").exists():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, capture_output=True
        )
    return [node, str(HERE / "client.mjs")]


def run(node_client, url, form_id, answers, tmp_path):
    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps(answers), encoding="utf-8")
    done = subprocess.run(
        [*node_client, url, "caseworker", FIELD_PASSWORD, form_id, str(answers_file)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=HERE,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    status, version, body = done.stdout.split("\n", 2)
    return int(status), version, body


def test_odk_web_forms_engine_submits_a_flow_monitoring_screening(
    node_client, waitress_url, world, field_user, tmp_path
):
    person = register(world, world.amc_block).members.get()
    answers = {
        "registry_id": person.registration_number,
        "profile": "adult",
        "self_unpaid": "no",
        "self_forced_work": "yes",
        "self_job_offer": "no",
        "self_marriage_offer": "no",
        "self_held": "yes",
        "self_organs": "no",
        "self_violence": "refused",
        "travelled_with_family": "yes",
        "family_held": "yes",
    }
    status, version, body = run(node_client, waitress_url, "iom-fms-trafficking", answers, tmp_path)
    assert status == 201, body
    assert version == "1.0" and "scored" in body
    screening = Screening.objects.get()
    assert Submission.objects.get().screening == screening
    assert (screening.source, screening.outcome) == ("field", "positive")
    assert (screening.result["yes"], screening.result["family_yes"]) == (2, 1)
    page = signed_in(world.user("caseworker")).get(f"/registry/persons/{person.pk}/")
    assert f"/screening/{screening.pk}/" in page.content.decode()
