from django.urls import path

from salama.presence import views

urlpatterns = [
    path("", views.check_list, name="presence_checks"),
    path("checks/<str:pk>/", views.check_detail, name="presence_check"),
    path("checks/<str:pk>/search/", views.check_search, name="presence_search"),
    path("checks/<str:pk>/mark/", views.check_mark, name="presence_mark"),
    path("checks/<str:pk>/unmark/", views.check_unmark, name="presence_unmark"),
    path("checks/<str:pk>/scan/", views.check_scan, name="presence_scan"),
    path("checks/<str:pk>/import/", views.check_import, name="presence_import"),
    path("checks/<str:pk>/finish/", views.check_finish, name="presence_finish"),
    path("cards/", views.card_sites, name="presence_cards"),
    path("cards/<str:code>/", views.card_block, name="presence_card_block"),
    path("cards/<str:code>/print/", views.card_print, name="presence_card_print"),
    path("card/<str:pk>/revoke/", views.card_revoke, name="presence_card_revoke"),
    path("alerts/", views.alert_list, name="absence_alerts"),
    path("alerts/<str:pk>/", views.alert_detail, name="absence_alert"),
    path("alerts/<str:pk>/safe/", views.alert_safe, name="absence_alert_safe"),
    path("alerts/<str:pk>/dismiss/", views.alert_dismiss, name="absence_alert_dismiss"),
]
