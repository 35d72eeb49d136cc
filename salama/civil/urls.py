"""The civil registration desk, under /civil/."""

from django.urls import path

from salama.civil import views, views_figures

urlpatterns = [
    path("", views.event_list, name="civil_events"),
    path("figures/", views_figures.civil_figures, name="civil_figures"),
    path("people/new/", views.person_add, name="civil_person_add"),
    path("refused/", views.marriage_refused, name="civil_refused"),
    path("people/find/", views.person_find, name="civil_person_find"),
    path("new/<str:event_type>/", views.event_new, name="civil_new"),
    path("<str:pk>/", views.event_detail, name="civil_event"),
    path("<str:pk>/validate/", views.event_validate, name="civil_validate"),
    path("<str:pk>/register/", views.event_register, name="civil_register"),
    path("<str:pk>/declare/", views.event_declare_notified, name="civil_declare"),
    path("<str:pk>/state-number/", views.event_state_number, name="civil_state_number"),
    path("<str:pk>/duplicate/", views.event_duplicate, name="civil_duplicate"),
    path("<str:pk>/flag/", views.event_flag, name="civil_flag"),
    path("<str:pk>/correction/", views.event_correction_request, name="civil_correction"),
    path("<str:pk>/correct/", views.event_correct, name="civil_correct"),
    path("<str:pk>/archive/", views.event_archive, name="civil_archive"),
    path("<str:pk>/attachments/", views.attachment_new, name="civil_attachment_new"),
    path("<str:pk>/attachments/<int:number>/", views.attachment_file, name="civil_attachment_file"),
    path("<str:pk>/documents/", views.certificate_new, name="civil_certificate_new"),
    path(
        "<str:pk>/documents/<str:serial>.pdf", views.certificate_pdf, name="civil_certificate_pdf"
    ),
    path(
        "<str:pk>/documents/<str:serial>/revoke/",
        views.certificate_revoke,
        name="civil_certificate_revoke",
    ),
]
