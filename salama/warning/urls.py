from django.urls import path

from salama.warning import views

urlpatterns = [
    path("", views.alert_list, name="warning_alerts"),
    path("<int:pk>/", views.alert_detail, name="warning_alert"),
    path("<int:pk>/verify/", views.alert_verify, name="warning_alert_verify"),
    path("risk/", views.risk_factors, name="warning_risk"),
]
