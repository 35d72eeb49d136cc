"""Name normalisation changed (a Latin article written joined, Alshami, is
dropped from unknown names; dj reads as j; doubled letters fold before kh and
sh): search keys hold normalised names, so every person's keys are rebuilt as
in 0006."""

import importlib

from django.db import migrations

rebuild = importlib.import_module("salama.registry.migrations.0006_rebuild_search_keys").rebuild


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_rebuild_search_keys")]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
