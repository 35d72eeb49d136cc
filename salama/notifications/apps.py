from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "salama.notifications"
    label = "notifications"
    verbose_name = "Notifications"
