"""API authentication: bearer tokens for machine clients, the browser session
(with CSRF and two-factor) for the web interface."""

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from salama.core.decorators import needs_second_factor
from salama.core.models import ApiToken

# A token's last use is recorded to the minute: one UPDATE a minute per token
# at most, not one per request.
LAST_USE_RESOLUTION = timedelta(minutes=1)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked=False, user__is_active=True)
            .first()
        )
        now = timezone.now()
        if found is None or (found.expires_at and found.expires_at < now):
            return None
        if found.last_used_at is None or now - found.last_used_at >= LAST_USE_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class VerifiedSession(APIKeyCookie):
    """Django's session cookie, only once the second factor is verified."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated or needs_second_factor(request):
            return None
        return user
