"""Forms for adding and editing packages."""

from __future__ import annotations

from typing import Any

from django import forms
from packaging.utils import InvalidName, canonicalize_name

from packyard.catalog.models import Category, Package


class RepositoryForm(forms.Form):
    """Step one of adding a package: where its code lives."""

    repo_url = forms.CharField(
        label="Repository URL",
        max_length=500,
        help_text="GitHub, GitLab, Bitbucket or Codeberg; any spelling (https, ssh, git@…).",
        widget=forms.TextInput(attrs={"placeholder": "https://github.com/owner/repository"}),
    )


class PackageForm(forms.Form):
    """A package's editable fields; the repository URL and slug only for its stewards."""

    title = forms.CharField(max_length=100)
    slug = forms.SlugField(max_length=100, help_text="The package's address: /packages/p/<slug>/.")
    repo_url = forms.CharField(label="Repository URL", max_length=500)
    category = forms.ModelChoiceField(queryset=Category.objects.order_by("title"))
    pypi_name = forms.CharField(
        label="PyPI name",
        max_length=200,
        required=False,
        help_text="The name on pypi.org, if it is published there.",
    )
    documentation_url = forms.URLField(
        label="Documentation URL", max_length=500, required=False, assume_scheme="https"
    )
    description = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, identity: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not identity:
            del self.fields["slug"]
            del self.fields["repo_url"]

    def clean_pypi_name(self) -> str:
        """A project name as PEP 508 allows (letters, digits, `.`, `_`, `-`; a letter or digit
        at each end), or nothing."""
        name = str(self.cleaned_data.get("pypi_name", "")).strip()
        if not name:
            return ""
        try:
            canonicalize_name(name, validate=True)
        except InvalidName as error:
            raise forms.ValidationError(
                "Not a PyPI project name: use letters, digits, '.', '_' and '-', starting and "
                "ending with a letter or digit (as in pip install django-foo)."
            ) from error
        return name

    @classmethod
    def initial_from(cls, package: Package) -> dict[str, Any]:
        return {
            "title": package.title,
            "slug": package.slug,
            "repo_url": package.repo_url,
            "category": package.category_id,
            "pypi_name": package.pypi_name,
            "documentation_url": package.documentation_url or "",
            "description": package.description,
        }
