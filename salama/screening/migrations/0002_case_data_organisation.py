"""Screenings, alerts and field submissions belong to an organisation.

Existing rows take the organisation of the user who made them (their first
membership), else the organisation that registered the person's household."""

import django.db.models.deletion
from django.db import migrations, models

from salama.core.roles import Perm

MODELS = ("Screening", "Alert", "Submission")


def _first_organisation_of(apps, user_id, perm=None):
    """The organisation of the user's first membership (allowing `perm`, if given)."""
    from salama.core.roles import role_allows

    if user_id is None:
        return None
    memberships = apps.get_model("core", "Membership").objects.filter(user_id=user_id)
    for membership in memberships.order_by("pk"):
        if perm is None or role_allows(membership.role, perm):
            return membership.organisation_id
    return None


def _household_organisation(person):
    return person.household.registered_by_id if person is not None else None


def fill(apps, schema_editor):
    Organisation = apps.get_model("core", "Organisation")
    fallback = Organisation.objects.order_by("pk").values_list("pk", flat=True).first()
    Screening = apps.get_model("screening", "Screening")
    for screening in Screening.objects.select_related("person__household"):
        screening.organisation_id = (
            _first_organisation_of(apps, screening.screened_by_id, Perm.SCREENING_CREATE)
            or _first_organisation_of(apps, screening.screened_by_id)
            or _household_organisation(screening.person)
            or fallback
        )
        screening.save(update_fields=["organisation"])
    Alert = apps.get_model("screening", "Alert")
    for alert in Alert.objects.select_related("screening"):
        alert.organisation_id = alert.screening.organisation_id
        alert.save(update_fields=["organisation"])
    Submission = apps.get_model("screening", "Submission")
    for submission in Submission.objects.select_related("person__household"):
        submission.organisation_id = (
            _first_organisation_of(apps, submission.submitted_by_id, Perm.FIELD_SUBMIT)
            or _first_organisation_of(apps, submission.submitted_by_id)
            or _household_organisation(submission.person)
            or fallback
        )
        submission.save(update_fields=["organisation"])


def _field(null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="core.organisation",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_site_registry_owner"),
        ("screening", "0001_initial"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=m.lower(), name="organisation", field=_field(True))
            for m in MODELS
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *(
            migrations.AlterField(model_name=m.lower(), name="organisation", field=_field(False))
            for m in MODELS
        ),
    ]
