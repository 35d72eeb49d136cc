from django.urls import path

from salama.privacy import views

urlpatterns = [
    path("", views.home, name="privacy_home"),
    path("exports/", views.export_list, name="privacy_exports"),
    path("exports/<str:pk>/", views.export_detail, name="privacy_export"),
    path("exports/<str:pk>/download/", views.export_download, name="privacy_export_download"),
    path("subjects/", views.subject_find, name="privacy_subject_find"),
    path("subjects/<str:pk>/", views.subject_detail, name="privacy_subject"),
    path("subjects/<str:pk>/close/", views.subject_close, name="privacy_subject_close"),
    path("readers/<str:pk>/", views.reader_detail, name="privacy_reader"),
    path("agreements/", views.agreement_list, name="privacy_agreements"),
    path("agreements/new/", views.agreement_new, name="privacy_agreement_new"),
    path("agreements/<str:pk>/end/", views.agreement_end, name="privacy_agreement_end"),
]
