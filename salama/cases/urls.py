"""Protection cases, referrals, the service directory and networks, under /cases/."""

from django.urls import include, path

from salama.cases import views

urlpatterns = [
    path("", views.case_list, name="cases"),
    path("directory/", include("salama.cases.urls_directory")),
    path("networks/", include("salama.cases.urls_networks")),
    path("recovery/", include("salama.cases.urls_recovery")),
]
