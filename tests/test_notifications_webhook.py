"""The outgoing webhook against a real HTTP server on 127.0.0.1: signed with
the shared secret, retried with exponential back-off on network errors, 5xx
and 429, not on other 4xx, every attempt in the delivery log, and no
personal data in what is sent."""

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

from salama.jobs.actions import job_retry
from salama.jobs.api import run_pending_jobs
from salama.jobs.models import Job
from salama.notifications.actions import MAX_ATTEMPTS, channels_set, notify
from salama.notifications.models import Delivery
from salama.notifications.signing import signature, verify
from tests.conftest import person_fields, register

SECRET = "webhook-test-secret-" + "s" * 24
BASE_URL = "https://salama.example.org"
CANARY_NAME = "Qwertzhuber"
CANARY_PHONE = "+962799123456"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each POST with the next status in `answers` (the last one repeats)."""

    answers: list[int]
    received: list[Received] = field(default_factory=list)
    url: str = ""

    def answer(self) -> int:
        index = min(len(self.received) - 1, len(self.answers) - 1)
        return self.answers[index]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            receiver.received.append(Received(dict(self.headers.items()), self.rfile.read(length)))
            status = receiver.answer()
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    found = Receiver(answers=[200])
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(found))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    found.url = f"http://127.0.0.1:{server.server_address[1]}/salama-hook"
    settings.SALAMA_WEBHOOK_URL = found.url
    settings.SALAMA_WEBHOOK_SECRET = SECRET
    settings.SALAMA_BASE_URL = BASE_URL
    yield found
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def household(world):
    fields = person_fields(
        given_name_latin=CANARY_NAME, birth_date=date(1979, 11, 23), phone=CANARY_PHONE
    )
    return register(world, world.amc_block, fields)


@pytest.fixture
def subscriber(world):
    user = world.user("caseworker")
    channels_set(user=user, email=False, webhook=True)
    return user


def _notify(world, subscriber, household):
    (notification,) = notify(
        recipients=[subscriber],
        kind="registry.child_headed_household",
        subject=gettext_lazy("A child-headed household was registered"),
        reference=household.registration_number,
        link=f"/registry/households/{household.pk}/",
        actor=world.user("admin"),
    )
    return notification


def _time_passes() -> None:
    """Simulate the back-off elapsing: what waits becomes due."""
    due = timezone.now() - timedelta(seconds=1)
    DBTaskResult.objects.filter(status="READY").update(run_after=due)


def _delivery() -> Delivery:
    return Delivery.objects.get()


def test_a_failed_webhook_is_retried_and_its_delivery_logged(
    world, receiver, subscriber, household
):
    receiver.answers = [500, 200]
    notification = _notify(world, subscriber, household)

    assert run_pending_jobs() == 1
    first = _delivery()
    assert (first.channel, first.status, first.attempts) == ("webhook", "retrying", 1)
    assert (first.response_status, first.last_error) == (500, "HTTP 500")
    job = Job.objects.get(pk=first.job_id)
    assert job.status == "retrying"
    wait = (job.run_after - first.last_attempt_at).total_seconds()
    assert 29 <= wait <= 31  # the first back-off
    assert run_pending_jobs() == 0  # nothing is due before the back-off has passed

    _time_passes()
    assert run_pending_jobs() == 1
    sent = _delivery()
    assert (sent.status, sent.attempts, sent.response_status, sent.last_error) == (
        "sent",
        2,
        200,
        "",
    )
    assert sent.sent_at is not None
    assert Job.objects.get(pk=sent.job_id).status == "succeeded"

    assert len(receiver.received) == 2
    for request in receiver.received:
        timestamp = request.headers["X-Salama-Timestamp"]
        header = request.headers["X-Salama-Signature"]
        assert header == signature(SECRET, timestamp, request.body)
        assert verify(SECRET, timestamp, request.body, header)
        assert not verify("another-secret", timestamp, request.body, header)
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["X-Salama-Delivery"] == str(sent.pk)
    assert receiver.received[0].body == receiver.received[1].body  # the same message

    body = json.loads(receiver.received[1].body)
    assert body == {
        "id": str(sent.pk),
        "event": "registry.child_headed_household",
        "recipient": subscriber.pk,
        "reference": household.registration_number,
        "link": f"{BASE_URL}/registry/households/{household.pk}/",
        "created": notification.created.isoformat(),
    }
    everything = b"".join(r.body + json.dumps(r.headers).encode() for r in receiver.received)
    head = household.members.get()
    for canary in (CANARY_NAME, "1979-11-23", CANARY_PHONE, "Al-Hassan", head.given_name):
        assert canary.encode() not in everything
    assert b"A child-headed household" not in everything  # the event code, not the phrase


def test_retries_back_off_exponentially_then_give_up(world, receiver, subscriber, household):
    receiver.answers = [503]
    _notify(world, subscriber, household)
    waits = []
    for _attempt in range(MAX_ATTEMPTS):
        run_pending_jobs()
        delivery = _delivery()
        job = Job.objects.get(pk=delivery.job_id)
        if job.run_after and job.status == "retrying":
            waits.append(round((job.run_after - delivery.last_attempt_at).total_seconds()))
        _time_passes()
    assert waits == [30, 60, 120, 240, 480]
    delivery = _delivery()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 6, 503)
    job = Job.objects.get(pk=delivery.job_id)
    assert job.status == "failed"
    assert "HTTP 503" in job.error_message
    assert len(receiver.received) == MAX_ATTEMPTS
    assert run_pending_jobs() == 0


def test_a_client_error_is_not_retried(world, receiver, subscriber, household):
    receiver.answers = [400, 200]
    _notify(world, subscriber, household)
    run_pending_jobs()
    _time_passes()
    run_pending_jobs()
    delivery = _delivery()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 1, 400)
    assert len(receiver.received) == 1


def test_too_many_requests_is_retried(world, receiver, subscriber, household):
    receiver.answers = [429, 200]
    _notify(world, subscriber, household)
    run_pending_jobs()
    assert _delivery().status == "retrying"
    _time_passes()
    run_pending_jobs()
    assert (_delivery().status, _delivery().attempts) == ("sent", 2)


def test_a_redirect_is_not_followed(world, receiver, subscriber, household):
    receiver.answers = [302]
    _notify(world, subscriber, household)
    run_pending_jobs()
    delivery = _delivery()
    assert (delivery.status, delivery.response_status) == ("failed", 302)
    assert len(receiver.received) == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_network_error_is_retried(world, receiver, subscriber, household, settings):
    settings.SALAMA_WEBHOOK_URL = f"http://127.0.0.1:{_closed_port()}/salama-hook"
    _notify(world, subscriber, household)
    run_pending_jobs()
    delivery = _delivery()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("retrying", 1, None)
    assert delivery.last_error == "URLError: ConnectionRefusedError"
    settings.SALAMA_WEBHOOK_URL = receiver.url
    _time_passes()
    run_pending_jobs()
    assert (_delivery().status, _delivery().attempts) == ("sent", 2)


def test_an_administrators_retry_sends_a_failed_delivery_again(
    world, receiver, subscriber, household
):
    receiver.answers = [503] * MAX_ATTEMPTS + [200]
    _notify(world, subscriber, household)
    for _attempt in range(MAX_ATTEMPTS):
        run_pending_jobs()
        _time_passes()
    delivery = _delivery()
    job = Job.objects.get(pk=delivery.job_id)
    assert (delivery.status, job.status) == ("failed", "failed")
    job_retry(user=world.user("admin"), job=job)
    run_pending_jobs()
    assert (_delivery().status, _delivery().attempts) == ("sent", MAX_ATTEMPTS + 1)
    assert len(receiver.received) == MAX_ATTEMPTS + 1


def test_plain_http_is_refused_except_to_this_machine(
    world, receiver, subscriber, household, settings
):
    settings.SALAMA_WEBHOOK_URL = "http://gateway.example.org/hook"
    _notify(world, subscriber, household)
    run_pending_jobs()
    delivery = _delivery()
    assert delivery.status == "failed"
    assert "must use https" in delivery.last_error
    assert receiver.received == []


def test_a_stale_or_forged_signature_does_not_verify():
    body = b'{"event":"x"}'
    now = 1_800_000_000
    good = signature(SECRET, str(now), body)
    assert verify(SECRET, str(now), body, good, now=now + 60)
    assert not verify(SECRET, str(now), body, good, now=now + 301)  # replayed later
    assert not verify(SECRET, str(now), body + b" ", good, now=now)  # body changed
    assert not verify(SECRET, "not-a-time", body, good, now=now)


@pytest.mark.parametrize(
    ("url", "secret", "base", "expected"),
    [
        ("https://gateway.example.org/hook", SECRET, BASE_URL, []),
        ("", "", "", []),
        ("https://gateway.example.org/hook", "", BASE_URL, ["notifications.E003"]),
        ("http://gateway.example.org/hook", SECRET, BASE_URL, ["notifications.E002"]),
        ("http://127.0.0.1:9000/hook", SECRET, BASE_URL, []),
        ("", "", "salama.example.org", ["notifications.E001"]),
    ],
)
def test_misconfigured_channels_are_named_at_start_up(settings, url, secret, base, expected):
    from salama.notifications.checks import outgoing_channels

    settings.SALAMA_WEBHOOK_URL, settings.SALAMA_WEBHOOK_SECRET = url, secret
    settings.SALAMA_BASE_URL = base
    assert [e.id for e in outgoing_channels()] == expected
