"""The OpenRosa server with Django's test client: every rule of the issue
(the real clients, JavaRosa and ODK Web Forms, are in test_openrosa_clients)."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from salama.screening.actions import field_credential_set
from salama.screening.field_forms import field_forms
from salama.screening.models import Attachment, Screening, Submission
from tests.openrosa_util import call, filled_instance

FIELD_PASSWORD = "field devices only 4821"


@pytest.fixture
def field_user(world):
    user = world.user("caseworker")
    field_credential_set(user=user, password=FIELD_PASSWORD)
    return user


def ask(client, method, path, **extra):
    return call(client, method, path, "caseworker", FIELD_PASSWORD, **extra)


def submit(client, xml: bytes, *files, name="submission.xml", content_type="text/xml"):
    parts = {"xml_submission_file": SimpleUploadedFile(name, xml, content_type)}
    for f in files:
        parts[f.name] = f
    return ask(client, "POST", "/openrosa/submission", data=parts)


def ilo11(person, instance_id=None, **answers):
    form = field_forms()["ilo-forced-labour-11"]
    values = {"registry_id": person.registration_number, "profile": "adult", **answers}
    return filled_instance(form.xml, values, instance_id)


def test_form_list_and_downloads_carry_the_hash_of_the_bytes_served(client, field_user):
    listing = ask(client, "GET", "/openrosa/formList")
    assert listing.status_code == 200 and listing["X-OpenRosa-Version"] == "1.0"
    text = listing.content.decode()
    for form_id in [
        "ilo-ec-delphi-labour",
        "iom-fms-trafficking",
        "salama-vulnerability",
        "htcds_xlsform",
    ]:
        assert f"<formID>{form_id}</formID>" in text
    form = ask(client, "GET", "/openrosa/forms/ilo-forced-labour-11/form.xml")
    assert form["X-OpenRosa-Version"] == "1.0"
    assert f"md5:{hashlib.md5(form.content, usedforsecurity=False).hexdigest()}" in text
    manifest = ask(client, "GET", "/openrosa/forms/ilo-forced-labour-11/manifest")
    assert manifest.status_code == 200 and b"xformsManifest" in manifest.content
    assert ask(client, "GET", "/openrosa/forms/nope/form.xml").status_code == 404
    xlsx = ask(client, "GET", "/openrosa/forms/salama-vulnerability/form.xlsx")
    assert xlsx.content[:2] == b"PK"


def test_authentication(client, world, field_user):
    bare = client.get("/openrosa/formList")
    assert bare.status_code == 401 and bare["WWW-Authenticate"].startswith("Digest ")
    assert bare["X-OpenRosa-Version"] == "1.0" and b"OpenRosaResponse" in bare.content
    wrong = call(client, "GET", "/openrosa/formList", "caseworker", "not the password")
    assert wrong.status_code == 401
    # A login password is not a field password.
    from tests.conftest import PASSWORD

    assert call(client, "GET", "/openrosa/formList", "caseworker", PASSWORD).status_code == 401
    # A role that does not collect in the field is refused even with a credential.
    field_credential_set(user=world.user("registrar"), password=FIELD_PASSWORD)
    refused = call(client, "GET", "/openrosa/formList", "registrar", FIELD_PASSWORD)
    assert refused.status_code == 403 and b"may not collect" in refused.content


def test_repeated_wrong_passwords_lock_the_field_user(client, field_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        assert call(client, "GET", "/openrosa/formList", "caseworker", "guess").status_code == 401
    # Now even the right password is refused, with the same answer, for 15 minutes.
    assert ask(client, "GET", "/openrosa/formList").status_code == 401


def test_head_then_a_submission_is_stored_and_scored(client, field_user, amc_person):
    head = ask(client, "HEAD", "/openrosa/submission")
    assert head.status_code == 204 and head["X-OpenRosa-Version"] == "1.0"
    assert int(head["X-OpenRosa-Accept-Content-Length"]) > 0
    xml = ilo11(amc_person, deception="yes", debt_bondage="yes")
    response = submit(client, xml, name="whatever.bin", content_type="application/octet-stream")
    assert response.status_code == 201, response.content
    assert b"submit_success" in response.content and b"OpenRosaResponse" in response.content
    submission = Submission.objects.get()
    assert submission.status == "scored" and submission.person == amc_person
    screening = Screening.objects.get()
    assert screening.source == "field" and screening.outcome == "suspected"
    assert sorted(f["id"] for f in screening.result["fired"]) == ["debt_bondage", "deception"]


def test_repeats_are_accepted_once_and_conflicts_refused(client, field_user, amc_person):
    xml = ilo11(amc_person, "uuid:same-1", deception="yes")
    photo = SimpleUploadedFile("photo.jpg", b"\xff\xd8 one", "image/jpeg")
    assert submit(client, xml, photo).status_code == 201
    second = SimpleUploadedFile("audio.m4a", b"sound", "audio/mp4")
    repeat = submit(client, xml, second)
    assert repeat.status_code == 202
    assert Submission.objects.count() == 1 and Screening.objects.count() == 1
    assert sorted(Attachment.objects.values_list("name", flat=True)) == ["audio.m4a", "photo.jpg"]
    from salama.audit.models import AuditEntry

    changes = AuditEntry.objects.filter(model="screening.Submission", action="change")
    assert ["attachment:audio.m4a"] in [e.changed_fields for e in changes]
    changed = ilo11(amc_person, "uuid:same-1", deception="no")
    conflict = submit(client, changed)
    assert conflict.status_code == 409 and b"OpenRosaResponse" in conflict.content
    assert Submission.objects.count() == 1


@pytest.mark.parametrize(
    "xml, status, words",
    [
        (b"<data id='ilo-forced-labour-11'><unclosed></data>", 400, b"not valid XML"),
        (
            b"<!DOCTYPE d [<!ENTITY e 'x'>]><data id='x'><meta><instanceID>u</instanceID></meta>&e;</data>",
            400,
            b"refuses",
        ),
        (
            b"<data id='no-such-form'><meta><instanceID>uuid:1</instanceID></meta></data>",
            404,
            b"refresh",
        ),
        (
            b"<data id='ilo-forced-labour-11' version='0'><meta><instanceID>uuid:1</instanceID></meta></data>",
            400,
            b"older version",
        ),
        (b"<data id='ilo-forced-labour-11'><deception>yes</deception></data>", 400, b"instance ID"),
    ],
)
def test_bad_submissions_store_nothing(client, field_user, xml, status, words):
    response = submit(client, xml)
    assert response.status_code == status and words in response.content
    assert response["X-OpenRosa-Version"] == "1.0"
    assert not Submission.objects.exists() and not Attachment.objects.exists()


def test_oversize_and_missing_part(client, field_user, amc_person, settings):
    settings.SALAMA_OPENROSA_MAX_BYTES = 2000
    big = SimpleUploadedFile("big.jpg", b"x" * 5000, "image/jpeg")
    response = submit(client, ilo11(amc_person, deception="yes"), big)
    assert response.status_code == 413 and not Submission.objects.exists()
    response = ask(client, "POST", "/openrosa/submission", data={"other": "x"})
    assert response.status_code == 400 and b"xml_submission_file" in response.content


def test_unknown_person_waits_for_review_and_is_attached_later(
    client, world, field_user, amc_person
):
    xml = ilo11(amc_person, deception="yes").replace(
        amc_person.registration_number.encode(), b"AMC-PNOSUCH1"
    )
    assert submit(client, xml).status_code == 201
    submission = Submission.objects.get()
    assert submission.status == "review" and "AMC-PNOSUCH1" in submission.problem
    assert not Screening.objects.exists()
    # A caseworker attaches it to the right person from the review queue.
    from tests.conftest import signed_in

    web = signed_in(world.user("caseworker"))
    assert "AMC-PNOSUCH1" in web.get("/screening/review/").content.decode()
    response = web.post(
        f"/screening/review/{submission.pk}/",
        {"registration_number": amc_person.registration_number},
    )
    assert response.status_code == 302
    assert (
        Submission.objects.get().status == "scored" and Screening.objects.get().person == amc_person
    )


def test_the_htcds_form_is_stored_as_case_intake(client, field_user):
    form = field_forms()["htcds_xlsform"]
    response = submit(client, filled_instance(form.xml, {}))
    assert response.status_code == 201
    assert Submission.objects.get().status == "stored"


# --- replayed Digest answers and instance IDs per user (issue 9, section 6) ---


def _signed_submission(client, xml: bytes, count: int = 1, challenge: str | None = None):
    """A submission answered to one challenge; returns (response, header)."""
    from tests.openrosa_util import digest_header

    challenge = challenge or client.get("/openrosa/formList")["WWW-Authenticate"]
    header = digest_header(
        challenge, "caseworker", FIELD_PASSWORD, "POST", "/openrosa/submission", count
    )
    part = SimpleUploadedFile("submission.xml", xml, "text/xml")
    response = client.post(
        "/openrosa/submission", {"xml_submission_file": part}, HTTP_AUTHORIZATION=header
    )
    return response, header


def test_a_captured_authorization_header_sent_again_with_a_new_body_is_refused(
    client, field_user, amc_person
):
    challenge = client.get("/openrosa/formList")["WWW-Authenticate"]
    first, header = _signed_submission(client, ilo11(amc_person, deception="yes"), 1, challenge)
    assert first.status_code == 201
    # Someone who captured the header sends it again with a body of their own.
    forged = SimpleUploadedFile("submission.xml", ilo11(amc_person, debt_bondage="yes"))
    replay = client.post(
        "/openrosa/submission", {"xml_submission_file": forged}, HTTP_AUTHORIZATION=header
    )
    assert replay.status_code == 401 and "stale" not in replay["WWW-Authenticate"]
    assert replay["WWW-Authenticate"].startswith("Digest ")
    assert Submission.objects.count() == 1
    # The device itself goes on with the same nonce and the next nonce count.
    again, _header = _signed_submission(client, ilo11(amc_person, threats="yes"), 2, challenge)
    assert again.status_code == 201 and Submission.objects.count() == 2


def test_unknown_and_expired_nonces_get_a_new_challenge(client, field_user, settings):
    from datetime import timedelta

    from django.utils import timezone

    from salama.screening.actions import digest_nonce_issue
    from tests.openrosa_util import digest_header

    def with_nonce(nonce: str):
        challenge = f'Digest realm="salama", qop="auth", nonce="{nonce}"'
        header = digest_header(challenge, "caseworker", FIELD_PASSWORD, "GET", "/openrosa/formList")
        return client.get("/openrosa/formList", HTTP_AUTHORIZATION=header)

    key = settings.SECRET_KEY.encode()
    old = digest_nonce_issue(key=key, now=timezone.now() - timedelta(minutes=6))
    expired = with_nonce(old)
    assert expired.status_code == 401 and "stale=true" in expired["WWW-Authenticate"]
    # Signed with the server's key but never issued (or issued by a forger who has it).
    from salama.lib.screening import digest

    unknown = with_nonce(digest.make_nonce(key, timezone.now().timestamp()))
    assert unknown.status_code == 401 and "stale" not in unknown["WWW-Authenticate"]
    forged = with_nonce("1700000000.abc.def")
    assert forged.status_code == 401 and "stale" not in forged["WWW-Authenticate"]


def test_expired_nonces_are_pruned(db, settings):
    from datetime import timedelta

    from django.utils import timezone

    from salama.screening.actions import digest_nonce_issue, digest_nonces_prune
    from salama.screening.models import DigestNonce

    key = settings.SECRET_KEY.encode()
    digest_nonce_issue(key=key, now=timezone.now() - timedelta(hours=2))
    kept = digest_nonce_issue(key=key)
    assert digest_nonces_prune() == 1
    assert list(DigestNonce.objects.values_list("value", flat=True)) == [kept]


def test_another_users_same_instance_id_is_a_separate_submission(
    client, world, field_user, amc_person
):
    xml = ilo11(amc_person, "uuid:shared-1", deception="yes")
    photo = SimpleUploadedFile("photo.jpg", b"\xff\xd8 one", "image/jpeg")
    assert submit(client, xml, photo).status_code == 201
    # Another field user, whose device sends the same instance ID (by chance
    # or on purpose) with different XML and a file of its own.
    other = world.user("caseworker_hop")
    field_credential_set(user=other, password=FIELD_PASSWORD)
    theirs = ilo11(amc_person, "uuid:shared-1", deception="no")
    sneaked = SimpleUploadedFile("audio.m4a", b"sound", "audio/mp4")
    parts = {"xml_submission_file": SimpleUploadedFile("s.xml", theirs, "text/xml"), "a": sneaked}
    answer = call(
        client, "POST", "/openrosa/submission", other.username, FIELD_PASSWORD, data=parts
    )
    assert answer.status_code == 201 and b"already" not in answer.content.lower()
    first = Submission.objects.get(submitted_by=field_user)
    assert list(first.attachments.values_list("name", flat=True)) == ["photo.jpg"]
    second = Submission.objects.get(submitted_by=other)
    assert second.instance_id == "uuid:shared-1" and second.pk != first.pk
    assert first.organisation == world.ngo
    # The same re-sent XML from the other user merges into their own only.
    resent = {"xml_submission_file": SimpleUploadedFile("s.xml", theirs, "text/xml")}
    again = call(
        client, "POST", "/openrosa/submission", other.username, FIELD_PASSWORD, data=resent
    )
    assert again.status_code == 202 and Submission.objects.count() == 2


def test_a_bearer_token_with_the_field_scope_may_submit(client, world, amc_person):
    from tests.conftest import token_for

    user = world.user("caseworker")
    _t, field = token_for(user, scopes=("field",))
    _t, reader = token_for(user, scopes=("read",))
    listing = client.get("/openrosa/formList", HTTP_AUTHORIZATION=f"Bearer {field}")
    assert listing.status_code == 200 and b"<xforms" in listing.content
    part = SimpleUploadedFile("s.xml", ilo11(amc_person, deception="yes"), "text/xml")
    sent = client.post(
        "/openrosa/submission", {"xml_submission_file": part}, HTTP_AUTHORIZATION=f"Bearer {field}"
    )
    assert sent.status_code == 201 and Submission.objects.get().submitted_by == user
    refused = client.get("/openrosa/formList", HTTP_AUTHORIZATION=f"Bearer {reader}")
    assert refused.status_code == 403
    unknown = client.get("/openrosa/formList", HTTP_AUTHORIZATION="Bearer slm_nope")
    assert unknown.status_code == 401 and unknown["WWW-Authenticate"].startswith("Digest ")


def test_submissions_made_before_scoping_get_their_users_organisation(flushable_audit):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from salama.core.actions import user_create
    from salama.core.models import Organisation
    from salama.core.roles import Role

    ngo = Organisation.objects.create(name="Protection NGO", short_name="PNGO", kind="ngo")
    worker = user_create(
        username="fieldworker", password="x" * 12, organisation=ngo, role=Role.CASEWORKER, sites=[]
    )
    before = [("screening", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("screening", "Submission")
    old.objects.create(
        instance_id="uuid:old-1",
        form_id="f",
        form_version="1",
        xml="",
        xml_sha256="0" * 64,
        site_path="/",
        status="review",
        submitted_by_id=worker.pk,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Submission.objects.get(instance_id="uuid:old-1").organisation == ngo
