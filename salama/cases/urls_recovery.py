"""Pages of the cases app's recovery part, included by salama/cases/urls.py
under /cases/recovery/: a case's relief-and-recovery record and the
referral figures."""

from django.urls import URLPattern, path

from salama.cases import views_figures, views_recovery

urlpatterns: list[URLPattern] = [
    path("figures/", views_figures.referral_figures, name="cases_figures"),
    path("<str:case_pk>/", views_recovery.recovery_page, name="cases_recovery"),
    path(
        "<str:case_pk>/eligibility/",
        views_recovery.eligibility_save,
        name="cases_recovery_eligibility",
    ),
    path(
        "<str:case_pk>/follow-ups/",
        views_recovery.follow_up_save,
        name="cases_recovery_follow_up",
    ),
]
