from django.urls import path

from salama.notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("<int:pk>/read/", views.notification_read, name="notification_read"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
    path("read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("preferences/", views.notification_preferences, name="notification_preferences"),
    path("deliveries/", views.delivery_log, name="delivery_log"),
]
