from django.urls import include, path

from salama.api import api
from salama.core import views as core_views
from salama.registry import views as registry_views
from salama.registry import views_matching as matching_views
from salama.screening import openrosa
from salama.screening import views as screening_views
from salama.tracing import views_figures as tracing_figures

registry_patterns = [
    path("persons/", registry_views.person_list, name="person_list"),
    path("persons/search/", registry_views.person_search, name="person_search"),
    path("persons/find/", matching_views.person_find, name="person_find"),
    path("persons/<str:pk>/unmerge/", matching_views.person_unmerge, name="person_unmerge"),
    path("match/<int:index>/", matching_views.desk_matches, name="desk_matches"),
    path("match/ask/", matching_views.held_match_ask, name="held_match_ask"),
    path("duplicates/", matching_views.duplicate_list, name="duplicate_list"),
    path("duplicates/scan/", matching_views.duplicate_scan, name="duplicate_scan"),
    path("duplicates/<str:pk>/", matching_views.duplicate_decide, name="duplicate_decide"),
    path("persons/<str:pk>/", registry_views.person_detail, name="person_detail"),
    path("persons/<str:pk>/edit/", registry_views.person_edit, name="person_edit"),
    path("persons/<str:pk>/consent/", registry_views.person_consent, name="person_consent"),
    path("persons/<str:pk>/delete/", registry_views.person_delete, name="person_delete"),
    path("persons/<str:pk>/access/", registry_views.person_access_log, name="person_access_log"),
    path("households/new/", registry_views.household_new, name="household_new"),
    path(
        "households/new/member/", registry_views.household_member_form, name="household_member_form"
    ),
    path("households/<str:pk>/", registry_views.household_detail, name="household_detail"),
    path(
        "households/<str:pk>/add/",
        registry_views.household_add_member,
        name="household_add_member",
    ),
    path("import/", registry_views.import_start, name="import_start"),
    path("import/<str:pk>/", registry_views.import_job, name="import_job"),
    path("import/<str:pk>/commit/", registry_views.import_commit, name="import_commit"),
]

screening_patterns = [
    path("person/<str:pk>/", screening_views.screening_start, name="screening_start"),
    path("person/<str:pk>/step/", screening_views.screening_step, name="screening_step"),
    path("alerts/", screening_views.alert_list, name="alert_list"),
    path(
        "alerts/<str:pk>/acknowledge/", screening_views.alert_acknowledge, name="alert_acknowledge"
    ),
    path("figures/", screening_views.figures, name="screening_figures"),
    path("review/", screening_views.review_queue, name="review_queue"),
    path("review/<str:pk>/", screening_views.review_submission, name="review_submission"),
    path("<str:pk>/", screening_views.screening_detail, name="screening_detail"),
]

openrosa_patterns = [
    path("formList", openrosa.form_list, name="openrosa_form_list"),
    path("forms/<str:form_id>/form.xml", openrosa.form_download, name="openrosa_form"),
    path("forms/<str:form_id>/form.xlsx", openrosa.form_xlsform, name="openrosa_xlsform"),
    path("forms/<str:form_id>/manifest", openrosa.manifest, name="openrosa_manifest"),
    path("submission", openrosa.submission, name="openrosa_submission"),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", core_views.logout_view, name="logout"),
    path("accounts/2fa/", core_views.otp, name="otp"),
    path("accounts/preferences/", core_views.preferences, name="preferences"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/", include(registry_patterns)),
    path("screening/", include(screening_patterns)),
    path("openrosa/", include(openrosa_patterns)),
    path("api/v1/", api.urls),
    path("admin/", include("salama.administration.urls")),
    path("jobs/", include("salama.jobs.urls")),
    path("notifications/", include("salama.notifications.urls")),
    path("privacy/", include("salama.privacy.urls")),
    path("tracing/figures/", tracing_figures.tracing_figures, name="tracing_figures"),
    path("tracing/", include("salama.tracing.urls")),
    path("missing/", include("salama.tracing.urls_public")),
    path("presence/", include("salama.presence.urls")),
    path("cases/", include("salama.cases.urls")),
    path("civil/", include("salama.civil.urls")),
    path("verify/", include("salama.civil.urls_public")),
    path("complaints/", include("salama.complaints.urls")),
    path("warning/", include("salama.warning.urls")),
    path("reports/", include("salama.reports.urls")),
]
