"""Search keys carry the person's birth year, so that a search reads a common
name's people of about the query's age first (registry.matching.candidate_ids).
Existing keys get the year from their person in one UPDATE; the keys
themselves are unchanged, so no rebuild is needed."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_years(apps, schema_editor):
    person = apps.get_model("registry", "Person")
    key = apps.get_model("registry", "BlockingKey")
    key.objects.update(
        year=Subquery(person.objects.filter(pk=OuterRef("person_id")).values("birth_year_max")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_rebuild_search_keys_again")]

    operations = [
        migrations.AddField(
            model_name="blockingkey",
            name="year",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(copy_years, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="blockingkey",
            index=models.Index(fields=["key", "rule", "year", "person"], name="registry_bl_key_year_idx"),
        ),
        # The new index serves every (key, rule) lookup the old one did.
        migrations.RemoveIndex(model_name="blockingkey", name="registry_bl_key_5c3ffb_idx"),
    ]
