from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "packyard.accounts"
    label = "accounts"
    verbose_name = "Accounts and community"
