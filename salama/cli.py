"""The `salama` console command: Django's management commands under one name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salama.settings")
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        os.environ.setdefault("SALAMA_DEMO", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["salama", *sys.argv[1:]])
