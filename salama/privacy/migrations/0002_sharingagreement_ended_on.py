"""An ended agreement keeps its signed period; the day it was ended is its own
field. Agreements ended before this migration had their end date rewritten:
their end day is taken from when they were ended."""

from django.db import migrations, models


def fill_ended_on(apps, schema_editor):  # type: ignore[no-untyped-def]
    SharingAgreement = apps.get_model("privacy", "SharingAgreement")
    for agreement in SharingAgreement.objects.filter(status="ended", ended_on__isnull=True):
        agreement.ended_on = (
            agreement.ended_at.date() if agreement.ended_at is not None else agreement.ends_on
        )
        agreement.save(update_fields=["ended_on"])


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="sharingagreement",
            name="ended_on",
            field=models.DateField(blank=True, null=True, verbose_name="ended on"),
        ),
        migrations.RunPython(fill_ended_on, migrations.RunPython.noop),
    ]
