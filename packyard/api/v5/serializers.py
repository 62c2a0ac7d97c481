"""API v5 records: packages with their facts, scores and compatibility; grids; categories."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from packyard.api.v5.selectors import STATUSES, package_status
from packyard.catalog.models import Package
from packyard.refresh.models import Source
from packyard.scoring.models import DIMENSIONS, Dependency


def _link(serializer: serializers.Serializer, name: str, slug: str) -> str:  # type: ignore[type-arg]
    return reverse(f"apiv5:{name}", kwargs={"slug": slug}, request=serializer.context["request"])


@extend_schema_field(
    {
        "type": "string",
        "enum": list(STATUSES),
        "description": "maintained (neither archived nor deprecated, its repository found), "
        "archived, deprecated or missing (its repository gone).",
    },
    component_name="PackageStatusValue",
)
class StatusValueField(serializers.CharField):
    """A package's status as `?status=` names it: one enum in the schema wherever it shows."""


class CategorySerializer(serializers.Serializer):  # type: ignore[type-arg]
    slug = serializers.CharField()
    title = serializers.CharField()
    title_plural = serializers.CharField()
    description = serializers.CharField()
    package_count = serializers.IntegerField()


class CategoryRefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    slug = serializers.CharField()
    title = serializers.CharField()


class PackageRefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, package: Package) -> str:
        return _link(self, "package-detail", package.slug)


class PackageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """What the packages list shows of a package."""

    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()
    description = serializers.CharField()
    category = CategoryRefSerializer()
    status = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()
    stars = serializers.IntegerField(allow_null=True)
    forks = serializers.IntegerField(allow_null=True)
    repo_url = serializers.CharField()
    repo_host = serializers.CharField()
    pypi_name = serializers.CharField()
    pypi_version = serializers.CharField(allow_null=True)
    licence = serializers.CharField(source="latest_licence", allow_null=True)
    last_release_at = serializers.DateTimeField(source="latest_release_at", allow_null=True)
    last_commit_at = serializers.DateTimeField(allow_null=True)
    replaced_by = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    modified = serializers.DateTimeField()

    def get_url(self, package: Package) -> str:
        return _link(self, "package-detail", package.slug)

    @extend_schema_field(StatusValueField)
    def get_status(self, package: Package) -> str:
        return package_status(package)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_score(self, package: Package) -> int | None:
        score = getattr(package, "scoring", None)
        return None if score is None else score.overall

    def get_replaced_by(self, package: Package) -> str | None:
        return package.replaced_by.slug if package.replaced_by is not None else None


# The facts a package record shows, by the source they come from.
REPOSITORY_FACTS = (
    "stars",
    "forks",
    "contributors",
    "commits_over_52",
    "total_commits",
    "last_commit_at",
    "archived_at",
    "repo_missing_since",
)
PYPI_FACTS = (
    "pypi_version",
    "latest_release_at",
    "pypi_summary",
    "pypi_keywords",
    "requires_dist",
    "changelog_url",
    "vulnerabilities",
    "pypi_project_status",
)


class FactSerializer(serializers.Serializer):  # type: ignore[type-arg]
    value = serializers.JSONField(help_text="The fact as stored: any JSON value, or null.")
    # A declared field named like Field.source: DRF's metaclass takes it off the class.
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="Where it comes from: the code host, or pypi."
    )
    fetched_at = serializers.DateTimeField(allow_null=True)


# One property a fact, each {value, source, fetched_at}: a type for the schema only (the record
# builds the object in PackageDetailSerializer.get_facts).
FactsSerializer = type(
    "FactsSerializer",
    (serializers.Serializer,),
    {name: FactSerializer() for name in (*REPOSITORY_FACTS, *PYPI_FACTS)},
)


class ReasonSerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField()
    points = serializers.FloatField(allow_null=True)
    out_of = serializers.FloatField(allow_null=True)


class DimensionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.ChoiceField(choices=DIMENSIONS)
    value = serializers.IntegerField()
    reasons = ReasonSerializer(many=True)


class ScoreSerializer(serializers.Serializer):  # type: ignore[type-arg]
    overall = serializers.IntegerField()
    dimensions = DimensionSerializer(many=True)
    trend = serializers.IntegerField(
        allow_null=True, help_text="The change since the baseline snapshot, or null."
    )
    computed_at = serializers.DateTimeField(allow_null=True)


class AdvisorySerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A known advisory affecting the latest release, as the package page lists it."""

    id = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    summary = serializers.CharField()
    link = serializers.CharField()
    fixed_in = serializers.ListField(
        child=serializers.CharField(), help_text="Releases that fix it; empty when none is known."
    )
    sources = serializers.ListField(
        child=serializers.CharField(), help_text="Where it is known from: PyPI, OSV."
    )


class DependencySerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A package of the directory that this package's latest release requires."""

    # Which end of the Dependency row is the other package: what it requires (`target`).
    other = "target"

    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField(read_only=True)
    requirement = serializers.CharField(help_text="As Requires-Dist writes it.")
    optional = serializers.BooleanField(help_text="Only under an extra.")

    def to_representation(self, row: Dependency) -> dict[str, Any]:
        package = getattr(row, self.other)
        return {
            "slug": package.slug,
            "title": package.title,
            "url": _link(self, "package-detail", package.slug),
            "requirement": row.requirement,
            "optional": row.optional,
        }


class DependentSerializer(DependencySerializer):
    """A package of the directory whose latest release requires this package."""

    other = "package"  # What requires it.


class GridRefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, grid: Any) -> str:
        return _link(self, "grid-detail", grid.slug)


class CompatibilitySerializer(serializers.Serializer):  # type: ignore[type-arg]
    product = serializers.CharField(source="cycle.product")
    cycle = serializers.CharField(source="cycle.cycle")
    answer = serializers.CharField()
    basis = serializers.CharField()
    evidence = serializers.CharField()
    release_version = serializers.CharField()
    computed_at = serializers.DateTimeField()


class ReleaseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    version = serializers.CharField()
    upload_time = serializers.DateTimeField(allow_null=True)
    yanked = serializers.BooleanField()
    yanked_reason = serializers.CharField()
    is_prerelease = serializers.BooleanField()
    licence = serializers.CharField(source="license")
    requires_python = serializers.CharField()
    classifiers = serializers.ListField(child=serializers.CharField())
    development_status = serializers.CharField()


class StatusSerializer(serializers.Serializer):  # type: ignore[type-arg]
    value = StatusValueField()
    archived_at = serializers.DateTimeField(allow_null=True)
    deprecated_at = serializers.DateTimeField(allow_null=True)
    repo_missing_since = serializers.DateTimeField(allow_null=True)
    needs_maintainer = serializers.BooleanField()
    note = serializers.CharField()
    replaced_by = PackageRefSerializer(allow_null=True)


class PackageDetailSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A package's record: every fact with its source, the score, compatibility, status,
    advisories, and its dependencies and dependents in the directory."""

    slug = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    category = CategoryRefSerializer()
    repo_url = serializers.CharField()
    repo_host = serializers.CharField()
    pypi_name = serializers.CharField()
    pypi_url = serializers.CharField(source="pypi_project_url")
    documentation_url = serializers.CharField(allow_null=True)
    licence = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    facts = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()
    compatibility = CompatibilitySerializer(source="v5_answers", many=True)
    latest_release = serializers.SerializerMethodField()
    advisories = serializers.SerializerMethodField()
    dependencies = DependencySerializer(source="v5_dependencies", many=True)
    dependents = DependentSerializer(source="v5_dependents", many=True)
    grids = GridRefSerializer(source="v5_grids", many=True)
    releases_url = serializers.SerializerMethodField()
    created = serializers.DateTimeField()
    modified = serializers.DateTimeField()

    def _latest(self, package: Package) -> Any:
        releases = getattr(package, "latest_releases", [])
        return releases[0] if releases else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_licence(self, package: Package) -> str | None:
        latest = self._latest(package)
        return None if latest is None else latest.license

    @extend_schema_field(StatusSerializer)
    def get_status(self, package: Package) -> dict[str, Any]:
        flags = getattr(package, "status_flags", None)
        replacement = package.replaced_by
        return StatusSerializer(
            {
                "value": package_status(package),
                "archived_at": package.archived_at,
                "deprecated_at": package.deprecated_at,
                "repo_missing_since": package.repo_missing_since,
                "needs_maintainer": bool(flags and flags.needs_maintainer),
                "note": flags.note if flags else "",
                "replaced_by": replacement,
            },
            context=self.context,
        ).data

    @extend_schema_field(FactsSerializer)
    def get_facts(self, package: Package) -> dict[str, Any]:
        fetched = {state.source: state.last_success_at for state in package.fetch_states.all()}
        repository_time = fetched.get(Source.REPOSITORY) or package.last_fetched_at
        facts: dict[str, Any] = {}
        for name in REPOSITORY_FACTS:
            facts[name] = {
                "value": _plain(getattr(package, name)),
                "source": package.repo_host,
                "fetched_at": _plain(repository_time),
            }
        for name in PYPI_FACTS:
            facts[name] = {
                "value": _plain(getattr(package, name)),
                "source": Source.PYPI.value,
                "fetched_at": _plain(fetched.get(Source.PYPI)),
            }
        return facts

    @extend_schema_field(ScoreSerializer(allow_null=True))
    def get_score(self, package: Package) -> dict[str, Any] | None:
        score = getattr(package, "scoring", None)
        if score is None:
            return None
        return {
            "overall": score.overall,
            "dimensions": [
                {
                    "name": name,
                    "value": getattr(score, name),
                    "reasons": [
                        {
                            "text": str(reason.get("text", "")),
                            "points": reason.get("points"),
                            "out_of": reason.get("out_of"),
                        }
                        for reason in score.reasons.get(name, [])
                    ],
                }
                for name in DIMENSIONS
            ],
            "trend": score.trend,
            "computed_at": _plain(score.computed_at),
        }

    @extend_schema_field(ReleaseSerializer(allow_null=True))
    def get_latest_release(self, package: Package) -> dict[str, Any] | None:
        latest = self._latest(package)
        return None if latest is None else dict(ReleaseSerializer(latest).data)

    @extend_schema_field(AdvisorySerializer(many=True))
    def get_advisories(self, package: Package) -> list[dict[str, Any]]:
        score = getattr(package, "scoring", None)
        if score is None:
            return []
        return [
            {
                "id": str(advisory.get("id", "")),
                "aliases": [str(alias) for alias in advisory.get("aliases", [])],
                "summary": str(advisory.get("summary", "")),
                "link": str(advisory.get("link", "")),
                "fixed_in": [str(version) for version in advisory.get("fixed_in", [])],
                "sources": [str(source) for source in advisory.get("sources", [])],
            }
            for advisory in score.advisories
        ]

    def get_releases_url(self, package: Package) -> str:
        return _link(self, "package-releases", package.slug)


def _plain(value: Any) -> Any:
    """Return a value as JSON writes it (times in ISO 8601, as DRF writes them)."""
    if hasattr(value, "isoformat"):
        return serializers.DateTimeField().to_representation(value)
    return value


class GridSerializer(serializers.Serializer):  # type: ignore[type-arg]
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()
    description = serializers.CharField()
    is_locked = serializers.BooleanField()
    package_count = serializers.IntegerField()
    created = serializers.DateTimeField()
    modified = serializers.DateTimeField()

    def get_url(self, grid: Any) -> str:
        return _link(self, "grid-detail", grid.slug)


class FeatureSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()


class GridColumnSerializer(serializers.Serializer):  # type: ignore[type-arg]
    slug = serializers.CharField(source="package.slug")
    title = serializers.CharField(source="package.title")
    score = serializers.SerializerMethodField()
    added = serializers.DateTimeField(source="created")

    def get_score(self, column: Any) -> int | None:
        score = getattr(column.package, "scoring", None)
        return None if score is None else score.overall


class CellSerializer(serializers.Serializer):  # type: ignore[type-arg]
    feature = serializers.IntegerField(source="feature_id")
    package = serializers.CharField(source="grid_package.package.slug")
    text = serializers.CharField()
    html = serializers.CharField(source="text_html")


class GridDetailSerializer(serializers.Serializer):  # type: ignore[type-arg]
    slug = serializers.CharField(source="grid.slug")
    title = serializers.CharField(source="grid.title")
    description = serializers.CharField(source="grid.description")
    is_locked = serializers.BooleanField(source="grid.is_locked")
    features = FeatureSerializer(many=True)
    packages = GridColumnSerializer(source="columns", many=True)
    cells = CellSerializer(many=True)
