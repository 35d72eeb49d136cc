from django.db import migrations, models


def single_events(apps, schema_editor):
    Alert = apps.get_model("warning", "Alert")
    Alert.objects.filter(method="single-event").update(kind="event")


class Migration(migrations.Migration):
    dependencies = [("warning", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="alert", name="one_alert_per_week"),
        migrations.AddField(
            model_name="alert",
            name="kind",
            field=models.CharField(
                choices=[
                    ("rise", "A count higher than expected"),
                    ("cluster", "A cluster of blocks"),
                    ("event", "A single event"),
                ],
                default="rise",
                max_length=10,
                verbose_name="kind of alert",
            ),
        ),
        migrations.AddField(
            model_name="alert",
            name="denominator",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="out of"),
        ),
        migrations.AddField(
            model_name="alert",
            name="places",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(single_events, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.UniqueConstraint(
                fields=("site", "signal", "week", "kind"), name="one_alert_of_a_kind_per_week"
            ),
        ),
    ]
