"""API authentication: bearer tokens for machine clients, the browser session
(with CSRF and two-factor) for the web interface.

A token opens only the endpoints of its scopes: each endpoint names the scope
it needs (READ_AUTH, WRITE_AUTH); the browser session has every scope, as the
user's role already decides what they may do."""

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer

from salama.core.decorators import needs_second_factor
from salama.core.models import ApiToken

# A token's last use is recorded to the minute: one UPDATE a minute per token
# at most, not one per request.
LAST_USE_RESOLUTION = timedelta(minutes=1)


def token_user(raw: str, scope: str) -> Any:
    """The active user a valid, unexpired, unrevoked token acts for, or None.
    A valid token without `scope` raises PermissionDenied (403): the client
    is known, the endpoint is not for this token."""
    found = (
        ApiToken.objects.select_related("user")
        .filter(digest=ApiToken.digest_of(raw), revoked=False, user__is_active=True)
        .first()
    )
    now = timezone.now()
    if found is None or found.expires_at <= now:
        return None
    if scope not in found.scopes:
        raise PermissionDenied(f"This token does not have the '{scope}' scope.")
    if found.last_used_at is None or now - found.last_used_at >= LAST_USE_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.user


class BearerToken(HttpBearer):
    def __init__(self, scope: str = ApiToken.Scope.READ) -> None:
        super().__init__()
        self.scope = ApiToken.Scope(scope).value

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token, self.scope)
        if user is not None:
            request.user = user
        return user


class VerifiedSession(APIKeyCookie):
    """Django's session cookie, only once the second factor is verified."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated or needs_second_factor(request):
            return None
        return user


READ_AUTH = [BearerToken(ApiToken.Scope.READ), VerifiedSession(csrf=True)]
WRITE_AUTH = [BearerToken(ApiToken.Scope.WRITE), VerifiedSession(csrf=True)]
