"""Protection cases, referrals, the service directory and networks, under /cases/."""

from django.urls import include, path

from salama.cases import views

urlpatterns = [
    path("", views.case_list, name="cases"),
    path("new/", views.case_new, name="case_new"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<str:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<str:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("referrals/<str:pk>/decline/", views.referral_decline, name="referral_decline"),
    path("referrals/<str:pk>/complete/", views.referral_complete, name="referral_complete"),
    path("referrals/<str:pk>/cancel/", views.referral_cancel, name="referral_cancel"),
    path("directory/", include("salama.cases.urls_directory")),
    path("networks/", include("salama.cases.urls_networks")),
    path("recovery/", include("salama.cases.urls_recovery")),
    path("<str:pk>/", views.case_detail, name="case_detail"),
    path("<str:pk>/note/", views.case_note, name="case_note"),
    path("<str:pk>/risk/", views.case_risk, name="case_risk"),
    path("<str:pk>/assign/", views.case_assign, name="case_assign"),
    path("<str:pk>/review/", views.case_review, name="case_review"),
    path("<str:pk>/child/", views.case_child, name="case_child"),
    path("<str:pk>/plan/", views.case_plan, name="case_plan"),
    path("<str:pk>/plan/<str:item_pk>/", views.case_plan_item, name="case_plan_item"),
    path("<str:pk>/service/", views.case_service, name="case_service"),
    path("<str:pk>/close/", views.case_close, name="case_close"),
    path("<str:pk>/reopen/", views.case_reopen, name="case_reopen"),
    path("<str:pk>/refer/", views.referral_new, name="referral_new"),
    path("<str:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
]
