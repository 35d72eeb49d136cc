"""Administration writes that need an app above core: the field password lives
with field collection (screening). Everything else is in core.actions."""

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from salama.audit.actions import audit_record
from salama.core import access
from salama.core.roles import Perm
from salama.screening.actions import field_credential_set


@transaction.atomic
def field_password_set(*, user: Any, password: str, actor: Any) -> None:
    """Set the password the user's field devices use (ODK Collect, KoboCollect)."""
    if not user.is_active:
        raise ValidationError(_("A deactivated user cannot be given a field password."))
    if not access.has_perm(user, Perm.FIELD_SUBMIT):
        raise ValidationError(_("None of this user's roles sends forms from the field."))
    validate_password(password, user)
    field_credential_set(user=user, password=password)
    audit_record(
        user=actor,
        action="change",
        purpose="administration",
        model="screening.FieldCredential",
        record_id=user.pk,
        changed_fields=["ha1"],
    )
