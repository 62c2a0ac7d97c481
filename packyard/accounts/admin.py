from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin

from packyard.accounts.models import (
    DeprecationProposal,
    Flag,
    Mark,
    Profile,
    SiteEntry,
    Stewardship,
)

# allauth's own models are not managed by hand here: the GitHub app comes from settings
# (GITHUB_CLIENT_ID), tokens are not stored, e-mail addresses are not used, and a person's
# GitHub account shows on their profile.
for model in (EmailAddress, SocialAccount, SocialApp, SocialToken):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin[Profile]):
    list_display = ["user", "github_login", "name", "github_created_at", "share_favourites"]
    search_fields = ["user__username", "github_login", "name"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(Stewardship)
class StewardshipAdmin(admin.ModelAdmin[Stewardship]):
    """Staff appoint stewards of a package or a grid here."""

    list_display = ["user", "package", "grid", "created"]
    search_fields = ["user__username", "package__title", "grid__title"]
    list_select_related = ["user", "package", "grid"]
    raw_id_fields = ["user", "package", "grid"]


@admin.register(Mark)
class MarkAdmin(admin.ModelAdmin[Mark]):
    list_display = ["user", "package", "kind", "created"]
    list_filter = ["kind"]
    list_select_related = ["user", "package"]
    raw_id_fields = ["user", "package"]


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin[Flag]):
    list_display = ["package", "topic", "status", "reporter", "created"]
    list_filter = ["status", "topic"]
    list_select_related = ["package", "reporter"]
    raw_id_fields = ["package", "reporter", "reviewed_by"]


@admin.register(DeprecationProposal)
class DeprecationProposalAdmin(admin.ModelAdmin[DeprecationProposal]):
    list_display = ["package", "replaced_by", "status", "proposer", "created"]
    list_filter = ["status"]
    list_select_related = ["package", "replaced_by", "proposer"]
    raw_id_fields = ["package", "replaced_by", "proposer", "reviewed_by"]


@admin.register(SiteEntry)
class SiteEntryAdmin(admin.ModelAdmin[SiteEntry]):
    list_display = ["name", "url", "package", "status", "created"]
    list_filter = ["status"]
    list_select_related = ["package"]
    raw_id_fields = ["package", "submitted_by", "reviewed_by"]
