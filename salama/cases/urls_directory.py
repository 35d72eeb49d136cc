"""Pages of the cases app's directory part, included by salama/cases/urls.py
under /cases/directory/."""

from django.urls import path

from salama.cases import views_directory as views

urlpatterns = [
    path("", views.service_list, name="service_directory"),
    path("new/", views.service_new, name="service_new"),
    path("pathways/", views.pathway_list, name="service_pathways"),
    path("pathways/add/", views.pathway_add, name="service_pathway_add"),
    path("pathways/<str:pk>/remove/", views.pathway_remove, name="service_pathway_remove"),
    path("pathways/<str:pk>/move/", views.pathway_move, name="service_pathway_move"),
    path("<str:pk>/", views.service_detail, name="service_detail"),
    path("<str:pk>/edit/", views.service_edit, name="service_edit"),
    path("<str:pk>/deactivate/", views.service_deactivate, name="service_deactivate"),
]
