from django.urls import path

from salama.reports import views

urlpatterns = [
    path("", views.dashboard, name="reports"),
    path("pdf/", views.report_pdf, name="reports_pdf"),
    path("hxl/", views.report_hxl, name="reports_hxl"),
    path("dp/", views.report_dp, name="reports_dp"),
    path("participation/", views.participation, name="reports_participation"),
    path("wps/", views.wps, name="reports_wps"),
    path("releases/", views.releases, name="reports_releases"),
]
