from django.urls import path

from salama.administration import views

user = "users/<str:pk>/"

urlpatterns = [
    path("", views.home, name="admin_home"),
    path("organisations/", views.organisation_list, name="admin_organisation_list"),
    path("organisations/new/", views.organisation_new, name="admin_organisation_new"),
    path("organisations/<str:pk>/", views.organisation_edit, name="admin_organisation_edit"),
    path("sites/", views.site_tree, name="admin_site_tree"),
    path("sites/new/", views.site_new, name="admin_country_new"),
    path("sites/<str:parent>/new/", views.site_new, name="admin_site_new"),
    path("sites/<str:pk>/", views.site_edit, name="admin_site_edit"),
    path("sites/<str:pk>/delete/", views.site_delete, name="admin_site_delete"),
    path("users/", views.user_list, name="admin_user_list"),
    path("users/new/", views.user_new, name="admin_user_new"),
    path(user, views.user_detail, name="admin_user_detail"),
    path(user + "deactivate/", views.user_deactivate, name="admin_user_deactivate"),
    path(user + "reactivate/", views.user_reactivate, name="admin_user_reactivate"),
    path(user + "two-factor/", views.user_two_factor_reset, name="admin_user_two_factor_reset"),
    path(user + "field-password/", views.user_field_password, name="admin_user_field_password"),
    path(user + "memberships/new/", views.membership_new, name="admin_membership_new"),
    path(
        user + "memberships/<str:membership>/",
        views.membership_edit,
        name="admin_membership_edit",
    ),
    path(
        user + "memberships/<str:membership>/remove/",
        views.membership_remove,
        name="admin_membership_remove",
    ),
    path(user + "tokens/new/", views.token_new, name="admin_token_new"),
    path(user + "tokens/<str:token>/revoke/", views.token_revoke, name="admin_token_revoke"),
]
