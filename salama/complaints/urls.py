"""Complaints, under /complaints/: the public pages first (no account), then
the pages behind the wall."""

from django.urls import path

from salama.complaints import views, views_public

urlpatterns = [
    path("new", views_public.new, name="complaint_new"),
    path("status/", views_public.status, name="complaint_status"),
    path("", views.complaint_list, name="complaints"),
    path("desk/", views.desk_new, name="complaint_desk"),
    path("assistance/", views.assistance_list, name="assistance_list"),
    path("assistance/<str:pk>/", views.assistance_detail, name="assistance_detail"),
    path("assistance/<str:pk>/answer/", views.assistance_answer, name="assistance_answer"),
    path("break-glass/", views.break_glass, name="complaint_break_glass"),
    path("figures/", views.network_figures, name="complaint_figures"),
    path("vetting/", views.vetting, name="complaint_vetting"),
    path("<str:pk>/", views.complaint_detail, name="complaint_detail"),
    path("<str:pk>/acknowledge/", views.acknowledge, name="complaint_acknowledge"),
    path("<str:pk>/feedback/", views.feedback, name="complaint_feedback"),
    path("<str:pk>/subject/", views.subject, name="complaint_subject"),
    path("<str:pk>/recuse/", views.recuse, name="complaint_recuse"),
    path("<str:pk>/identity/", views.identity, name="complaint_identity"),
    path("<str:pk>/close/", views.close, name="complaint_close"),
    path("<str:pk>/assistance/", views.assistance_new, name="complaint_assistance"),
    path("<str:pk>/investigation/", views.investigation_new, name="complaint_investigation"),
    path("<str:pk>/outcome/", views.outcome, name="complaint_outcome"),
    path("<str:pk>/evidence/", views.evidence_new, name="complaint_evidence"),
    path("<str:pk>/evidence/check/", views.evidence_check, name="complaint_evidence_check"),
    path("<str:pk>/evidence/<int:number>/", views.evidence_file, name="complaint_evidence_file"),
    path("<str:pk>/bundle/", views.bundle, name="complaint_bundle"),
]
