from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    name = "salama.administration"
    label = "administration"
    verbose_name = "Administration"
