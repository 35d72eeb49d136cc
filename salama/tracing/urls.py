"""The missing-persons desk's staff pages, under /tracing/."""

from django.urls import path
from django.views.generic import RedirectView

from salama.core.decorators import staff_page
from salama.tracing import views

urlpatterns = [
    path("", staff_page(RedirectView.as_view(pattern_name="tracing_cases"))),
    path("cases/", views.case_list, name="tracing_cases"),
    path("cases/<str:pk>/", views.case_detail, name="tracing_case"),
    path("cases/<str:pk>/act/", views.case_act, name="tracing_case_act"),
    path("cases/<str:pk>/status/", views.case_status, name="tracing_case_status"),
    path("cases/<str:pk>/assign/", views.case_assign, name="tracing_case_assign"),
    path("cases/<str:pk>/disclosure/", views.case_disclosure, name="tracing_case_disclosure"),
    path("cases/<str:pk>/handover/", views.case_handover, name="tracing_case_handover"),
    path(
        "cases/<str:pk>/candidates/<str:candidate_pk>/",
        views.candidate_decide,
        name="tracing_candidate_decide",
    ),
    path(
        "cases/<str:pk>/reports/<str:report_pk>/photo/",
        views.report_photo,
        name="tracing_report_photo",
    ),
    path("reports/new/", views.report_new, name="tracing_report_new"),
    path("desks/", views.desk_list, name="tracing_desks"),
    path("desks/new/", views.desk_new, name="tracing_desk_new"),
    path("desks/<str:pk>/", views.desk_edit, name="tracing_desk"),
    path("desks/<str:pk>/shifts/", views.shift_add, name="tracing_shift_add"),
    path("desks/<str:pk>/shifts/<str:shift_pk>/end/", views.shift_end, name="tracing_shift_end"),
    path("desks/<str:pk>/notice.pdf", views.desk_notice, name="tracing_desk_notice"),
]
