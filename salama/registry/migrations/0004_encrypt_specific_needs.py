"""Specific-needs codes, and the snapshots that keep a person's earlier
values (which hold them too), are encrypted at the field level
(PROTECTION.md 25): each column becomes plain text, existing values are
encrypted in place, and the field becomes an EncryptedJSONField over the
same text column."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

import salama.core.fields

BATCH = 500
# model, field, the JSON of an empty value
FIELDS = (("Person", "specific_needs", "[]"), ("PersonRevision", "before", "{}"))


def _rewrite(apps, change):
    """Rewrite each field's column with change(text, empty), in batches (the
    columns are plain text during this migration)."""
    for model_name, name, empty in FIELDS:
        model = apps.get_model("registry", model_name)
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), BATCH):
            rows = list(model.objects.filter(pk__in=pks[start : start + BATCH]))
            for row in rows:
                setattr(row, name, change(getattr(row, name), empty))
            model.objects.bulk_update(rows, [name])


def encrypt_existing(apps, schema_editor):
    from salama.core.fields import encrypt

    def change(raw, empty):
        value = json.loads(raw or empty)
        return encrypt(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))

    _rewrite(apps, change)


def decrypt_existing(apps, schema_editor):
    from salama.core.fields import decrypt

    _rewrite(apps, lambda token, empty: decrypt(token) if token else empty)


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_matching")]

    operations = [
        migrations.AlterField(
            model_name="person",
            name="specific_needs",
            field=models.TextField(blank=True, default="[]", verbose_name="specific needs"),
        ),
        migrations.AlterField(
            model_name="personrevision", name="before", field=models.TextField()
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AlterField(
            model_name="person",
            name="specific_needs",
            field=salama.core.fields.EncryptedJSONField(
                blank=True, default=list, verbose_name="specific needs"
            ),
        ),
        migrations.AlterField(
            model_name="personrevision",
            name="before",
            field=salama.core.fields.EncryptedJSONField(),
        ),
    ]
