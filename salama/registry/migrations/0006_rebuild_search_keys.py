"""Linkage round two changed the blocking rules (bench/linkage/RESULTS.md):
every stored search key is rebuilt with the new rules, or searches would look
up keys that no person holds. On a large registry this is the longest step of
the upgrade (docs/matching.md); `salama linkage reindex` does the same at any
time."""

from django.db import migrations

BATCH = 500


def rebuild(apps, schema_editor):
    from salama.registry import matching

    person_model = apps.get_model("registry", "Person")
    key_model = apps.get_model("registry", "BlockingKey")
    ids = list(person_model.objects.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = person_model.objects.filter(pk__in=ids[start : start + BATCH]).prefetch_related(
            "documents"
        )
        key_model.objects.filter(person_id__in=ids[start : start + BATCH]).delete()
        key_model.objects.bulk_create(
            key_model(person=person, rule=rule, key=key)
            for person in batch
            for rule, key in matching.keys_for_rows(matching.person_rows(person))
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_person_died_on")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
