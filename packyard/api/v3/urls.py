"""API v3's addresses, as djangopackages.org's apiv3 names them."""

from __future__ import annotations

from django.urls import re_path

from packyard.api.v3 import views

app_name = "apiv3"

SLUG = r"(?P<slug>[-\w]+)"

urlpatterns = [
    re_path(r"^grids/$", views.grid_list, name="grid_list"),
    re_path(rf"^grids/{SLUG}/$", views.grid_detail, name="grid_detail"),
    re_path(rf"^grids/{SLUG}/packages/$", views.grid_packages_list, name="grid_packages_list"),
    re_path(r"^packages/$", views.package_list, name="package_list"),
    re_path(rf"^packages/{SLUG}/$", views.package_detail, name="package_detail"),
    re_path(r"^categories/$", views.category_list, name="category_list"),
    re_path(rf"^categories/{SLUG}/$", views.category_detail, name="category_detail"),
    # Any login that fits in a path segment (Django's logins may hold "@", "." and "+").
    re_path(r"^users/(?P<github_account>[^/]+)/$", views.user_detail, name="user_detail"),
    re_path(r"^users/$", views.user_list, name="user_list"),
    re_path(r"^$", views.index, name="index"),
]
