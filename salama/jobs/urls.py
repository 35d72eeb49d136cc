from django.urls import path

from salama.jobs import views

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<str:pk>/", views.job_detail, name="job_detail"),
    path("<str:pk>/_partials/progress/", views.job_progress, name="job_progress"),
    path("<str:pk>/retry/", views.job_retry, name="job_retry"),
]
