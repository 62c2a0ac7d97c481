from __future__ import annotations

from django.urls import path

from packyard.pages.accounts import views

app_name = "accounts"

urlpatterns = [
    path("profiles/<str:login>/", views.profile, name="profile"),
    path("profiles/<str:login>/edit/", views.profile_edit, name="profile_edit"),
    path("packages/liked/", views.packages_liked, name="liked"),
    path("packages/p/<slug:slug>/favourite/", views.package_favourite, name="favourite"),
    path("packages/p/<slug:slug>/use/", views.package_use, name="use"),
    path("packages/p/<slug:slug>/flag/", views.package_flag, name="flag"),
    path("packages/p/<slug:slug>/deprecate/", views.package_deprecate, name="deprecate"),
    path("packages/p/<slug:slug>/sites/", views.package_site_add, name="site_add"),
    path("moderation/", views.review_queue, name="review"),
    path("moderation/flags/<int:pk>/", views.review_flag, name="review_flag"),
    path("moderation/deprecations/<int:pk>/", views.review_deprecation, name="review_deprecation"),
    path("moderation/sites/<int:pk>/", views.review_site, name="review_site"),
]
