"""Outcomes, levels, fired indicators and suggested referrals are encrypted at
the field level (PROTECTION.md 25), and the figures are counted at the time
of screening into tables with no link to any person (PROTECTION.md 11).

Each column first becomes plain text; the counts are filled from the
existing screenings of people whose legal basis allows statistics (the same
people the figures counted until now); existing values are encrypted in
place; the fields then become encrypted fields over the same text columns."""

import json
from collections import Counter
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models
from django.utils import timezone

import salama.core.fields

BATCH = 500
LEVELS = [
    ("positive", "Positive"),
    ("high", "High risk"),
    ("medium", "Medium risk"),
    ("low", "Low risk"),
    ("negative", "Negative"),
]
# model, fields, and whether each holds JSON text
ENCRYPTED = (
    ("Screening", ("outcome", "level")),
    ("FiredIndicator", ("item", "scope")),
    ("Alert", ("level", "referrals")),
)
JSON_FIELDS = {("Alert", "referrals")}


def _week(moment):
    day = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return day - timedelta(days=day.weekday())


def _figure_sites(apps):
    """Each site's path -> the path of its nearest site with a kind (its camp)."""
    sites = {s.pk: s for s in apps.get_model("core", "Site").objects.all()}

    def camp(path):
        ids = [int(i) for i in path.strip("/").split("/") if i.isdigit()]
        chosen = next((sites[i] for i in reversed(ids) if i in sites and sites[i].kind), None)
        return chosen.path if chosen else path

    return camp


def count_existing(apps, schema_editor):
    camp = _figure_sites(apps)
    Screening = apps.get_model("screening", "Screening")
    FiredIndicator = apps.get_model("screening", "FiredIndicator")
    ScreeningCount = apps.get_model("screening", "ScreeningCount")
    IndicatorCount = apps.get_model("screening", "IndicatorCount")
    consented = Screening.objects.filter(person__legal_bases__purpose="statistics").distinct()
    cells = {}
    screened = Counter()
    for s in consented.values(
        "pk", "site_path", "screened_at", "sex", "age_group", "instrument", "level"
    ).iterator(chunk_size=BATCH):
        cell = (camp(s["site_path"]), _week(s["screened_at"]), s["sex"], s["age_group"], s["instrument"])
        cells[s["pk"]] = cell
        screened[(*cell, s["level"])] += 1
    indicators = Counter()
    fired = FiredIndicator.objects.filter(scope="self", screening__in=consented)
    seen = set()
    for screening_id, item in fired.values_list("screening_id", "item").iterator(chunk_size=BATCH):
        if (screening_id, item) not in seen and screening_id in cells:
            seen.add((screening_id, item))
            indicators[(*cells[screening_id], item)] += 1
    keys = ("site_path", "week", "sex", "age_group", "instrument")
    ScreeningCount.objects.bulk_create(
        ScreeningCount(**dict(zip(keys, cell[:5], strict=True)), level=cell[5], count=n)
        for cell, n in screened.items()
    )
    IndicatorCount.objects.bulk_create(
        IndicatorCount(**dict(zip(keys, cell[:5], strict=True)), indicator=cell[5], count=n)
        for cell, n in indicators.items()
    )


def uncount(apps, schema_editor):
    apps.get_model("screening", "ScreeningCount").objects.all().delete()
    apps.get_model("screening", "IndicatorCount").objects.all().delete()


def _rewrite(apps, change):
    for model_name, fields in ENCRYPTED:
        model = apps.get_model("screening", model_name)
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), BATCH):
            rows = list(model.objects.filter(pk__in=pks[start : start + BATCH]))
            for row in rows:
                for name in fields:
                    value = getattr(row, name)
                    setattr(row, name, change(value, (model_name, name) in JSON_FIELDS))
            model.objects.bulk_update(rows, list(fields))


def encrypt_existing(apps, schema_editor):
    from salama.core.fields import encrypt

    def change(raw, is_json):
        if is_json:
            raw = json.dumps(json.loads(raw or "[]"), cls=DjangoJSONEncoder, ensure_ascii=False)
        return encrypt(raw or "")

    _rewrite(apps, change)


def decrypt_existing(apps, schema_editor):
    from salama.core.fields import decrypt

    _rewrite(apps, lambda token, is_json: decrypt(token) if token else "")


def _plain(**kwargs):
    return models.TextField(**kwargs)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_encrypt_specific_needs"),
        ("screening", "0002_case_data_organisation"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndicatorCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("site_path", models.CharField(db_index=True, max_length=255)),
                ("week", models.DateField()),
                ("sex", models.CharField(max_length=1)),
                ("age_group", models.CharField(max_length=10)),
                ("instrument", models.CharField(max_length=60)),
                ("indicator", models.CharField(max_length=60)),
                ("count", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("site_path", "week", "sex", "age_group", "instrument", "indicator"),
                        name="one_indicator_count_per_cell",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ScreeningCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("site_path", models.CharField(db_index=True, max_length=255)),
                ("week", models.DateField()),
                ("sex", models.CharField(max_length=1)),
                ("age_group", models.CharField(max_length=10)),
                ("instrument", models.CharField(max_length=60)),
                ("level", models.CharField(max_length=10)),
                ("count", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("site_path", "week", "sex", "age_group", "instrument", "level"),
                        name="one_screening_count_per_cell",
                    )
                ],
            },
        ),
        migrations.RunPython(count_existing, uncount),
        # An index over ciphertext finds nothing.
        migrations.RemoveIndex(model_name="firedindicator", name="screening_f_item_85fbc5_idx"),
        migrations.AlterField("screening", "outcome", _plain()),
        migrations.AlterField("screening", "level", _plain(choices=LEVELS, verbose_name="result")),
        migrations.AlterField("firedindicator", "item", _plain()),
        migrations.AlterField("firedindicator", "scope", _plain()),
        migrations.AlterField("alert", "level", _plain(choices=LEVELS)),
        migrations.AlterField("alert", "referrals", _plain(default="[]")),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.AlterField(
            "screening", "outcome", salama.core.fields.EncryptedTextField()
        ),
        migrations.AlterField(
            "screening",
            "level",
            salama.core.fields.EncryptedTextField(choices=LEVELS, verbose_name="result"),
        ),
        migrations.AlterField("firedindicator", "item", salama.core.fields.EncryptedTextField()),
        migrations.AlterField("firedindicator", "scope", salama.core.fields.EncryptedTextField()),
        migrations.AlterField(
            "alert", "level", salama.core.fields.EncryptedTextField(choices=LEVELS)
        ),
        migrations.AlterField(
            "alert", "referrals", salama.core.fields.EncryptedJSONField(default=list)
        ),
    ]
