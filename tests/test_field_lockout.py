"""The field-password lockout counts in the database (shared by every server process;
tests/test_scale.py runs two), over a 15-minute window."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from salama.screening.actions import field_login_failed, field_login_succeeded
from salama.screening.models import FieldLoginFailure
from salama.screening.selectors import field_login_failures


def test_failures_count_for_fifteen_minutes_and_a_success_clears_them(world: Any) -> None:
    now = timezone.now()
    for minutes_ago in (40, 16, 10, 5, 1):
        field_login_failed(username="caseworker", now=now - timedelta(minutes=minutes_ago))
    field_login_failed(username="registrar", now=now)
    assert field_login_failures("caseworker", now=now) == 3
    assert field_login_failures("caseworker", now=now + timedelta(minutes=11)) == 1
    # Failures older than the window are forgotten, not kept for ever.
    assert not FieldLoginFailure.objects.filter(failed_at__lt=now - timedelta(minutes=30)).exists()
    field_login_succeeded(username="caseworker")
    assert field_login_failures("caseworker", now=now) == 0
    assert field_login_failures("registrar", now=now) == 1
