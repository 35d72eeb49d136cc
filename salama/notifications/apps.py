from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "salama.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from salama.notifications import checks  # noqa: F401 - registers the system checks
