from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "salama.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
