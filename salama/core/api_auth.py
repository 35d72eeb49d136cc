"""API authentication: bearer tokens for machine clients, the browser session
(with CSRF and two-factor) for the web interface."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from salama.core.decorators import needs_second_factor
from salama.core.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked=False, user__is_active=True)
            .first()
        )
        if found is None or (found.expires_at and found.expires_at < timezone.now()):
            return None
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
