"""Every token has an expiry (filled in by 0003). Its own migration: on
PostgreSQL a table whose rows were just updated in the same transaction
cannot be altered ("pending trigger events")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_token_expiry_scopes_and_idempotency_keys"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
