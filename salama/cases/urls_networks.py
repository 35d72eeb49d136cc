"""Pages of the cases app's networks part, included by salama/cases/urls.py."""

from django.urls import URLPattern, path

from salama.cases import views_networks as views

urlpatterns: list[URLPattern] = [
    path("", views.clusters, name="networks"),
    path("case/<uuid:case_pk>/", views.case_exploiters, name="networks_case"),
    path("case/<uuid:case_pk>/add/", views.exploiter_add, name="networks_add"),
    path("case/<uuid:case_pk>/remove/<int:pk>/", views.exploiter_remove, name="networks_remove"),
]
