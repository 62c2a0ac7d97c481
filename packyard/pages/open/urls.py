from __future__ import annotations

from django.urls import path

from packyard.pages.open import views

app_name = "open"

urlpatterns = [
    path("open/", views.statistics, name="statistics"),
    path("badges/<slug:slug>/score.svg", views.score_badge, name="score_badge"),
    path("badges/<slug:slug>/django.svg", views.django_badge, name="django_badge"),
    path("cards/packages/<slug:slug>.png", views.package_card, name="package_card"),
    path("cards/grids/<slug:slug>.png", views.grid_card, name="grid_card"),
    path("llms.txt", views.llms_txt, name="llms_txt"),
]
