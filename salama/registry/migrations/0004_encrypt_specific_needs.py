"""Specific-needs codes are encrypted at the field level (PROTECTION.md 25):
the column becomes plain text, existing values are encrypted in place, and
the field becomes an EncryptedJSONField (the same text column)."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

import salama.core.fields

BATCH = 500


def _rewrite(apps, change):
    """Rewrite every person's specific_needs column with change(raw text), in
    batches (the column is plain text during this migration)."""
    Person = apps.get_model("registry", "Person")
    pks = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        people = list(Person.objects.filter(pk__in=pks[start : start + BATCH]))
        for person in people:
            person.specific_needs = change(person.specific_needs)
        Person.objects.bulk_update(people, ["specific_needs"])


def encrypt_needs(apps, schema_editor):
    from salama.core.fields import encrypt

    def change(raw):
        value = json.loads(raw) if raw else []
        return encrypt(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))

    _rewrite(apps, change)


def decrypt_needs(apps, schema_editor):
    from salama.core.fields import decrypt

    _rewrite(apps, lambda token: decrypt(token) if token else "[]")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_matching")]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="specific_needs",
            field=models.TextField(blank=True, default="[]", verbose_name="specific needs"),
        ),
        migrations.RunPython(encrypt_needs, decrypt_needs),
        migrations.AlterField(
            model_name="person",
            name="specific_needs",
            field=salama.core.fields.EncryptedJSONField(
                blank=True, default=list, verbose_name="specific needs"
            ),
        ),
    ]
