"""Tests of OSV advisories: reading records, which versions they affect, `import_osv`."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from packyard.scoring.advisories import (
    AdvisoryDataError,
    AdvisoryView,
    AffectedRange,
    affects,
    merge,
    parse_osv,
)
from packyard.scoring.models import Advisory, AffectedPackage, PackageScore
from tests.factories import PackageFactory, ReleaseFactory


def ranged(*events, versions=()):
    return AffectedRange(
        name="x", ranges=({"type": "ECOSYSTEM", "events": list(events)},), versions=versions
    )


@pytest.mark.parametrize(
    ("affected", "version", "expected"),
    [
        (ranged({"introduced": "0"}, {"fixed": "2.1"}), "2.0", True),
        (ranged({"introduced": "0"}, {"fixed": "2.1"}), "2.1", False),
        (ranged({"introduced": "1.5"}, {"last_affected": "2.0"}), "2.0", True),
        (ranged({"introduced": "1.5"}, {"last_affected": "2.0"}), "2.0.1", False),
        (ranged({"introduced": "1.0"}), "9.9", True),
        (ranged({"introduced": "1.0"}, {"limit": "3.0"}), "3.1", False),
        (ranged({"introduced": "0"}, {"fixed": "1.0"}, {"introduced": "2.0"}), "1.5", False),
        (ranged({"introduced": "0"}, {"fixed": "1.0"}, {"introduced": "2.0"}), "2.2", True),
        (ranged(versions=("1.0rc1",)), "1.0rc1", True),
        (ranged({"introduced": "0"}, {"fixed": "2.0"}), "not-a-version", False),
    ],
)
def test_which_versions_an_advisory_affects(affected, version, expected):
    """OSV's events (introduced, fixed, last_affected, limit) and versions are read by PEP 440."""
    assert affects(affected, version) is expected


def test_a_record_keeps_only_pypi_projects_normalised():
    """Only PyPI entries are kept, names normalised; the ADVISORY reference is the link."""
    record = parse_osv(
        {
            "id": "GHSA-1",
            "details": "Line one.\nLine two.",
            "affected": [
                {"package": {"ecosystem": "npm", "name": "left-pad"}},
                {"package": {"ecosystem": "PyPI", "name": "Django_Foo"}, "versions": ["1.0"]},
            ],
            "references": [
                {"type": "WEB", "url": "https://example.org/blog"},
                {"type": "ADVISORY", "url": "https://github.com/advisories/GHSA-1"},
            ],
        }
    )

    assert [item.name for item in record.affected] == ["django-foo"]
    assert record.summary == "Line one."
    assert record.link == "https://github.com/advisories/GHSA-1"


def test_a_record_without_id_is_named_in_the_error():
    """A record with no id raises an error naming where it was."""
    with pytest.raises(AdvisoryDataError, match=r"PYSEC-x\.json: 'id' is missing"):
        parse_osv({"summary": "?"}, where="PYSEC-x.json")


def test_merge_joins_advisories_sharing_an_alias():
    """Two ids of one issue (sharing a CVE) are shown once, with every id."""
    merged = merge(
        [
            AdvisoryView("PYSEC-1", "XSS", "https://a", ["CVE-1"], ["2.1"], ["PyPI"]),
            AdvisoryView("GHSA-1", "", "https://b", ["CVE-1"], ["2.1", "1.9.9"], ["OSV"]),
            AdvisoryView("GHSA-2", "Other", "https://c", [], [], ["OSV"]),
        ]
    )

    assert [(item.id, item.aliases, item.fixed_in) for item in merged] == [
        ("GHSA-2", [], []),
        ("PYSEC-1", ["CVE-1", "GHSA-1"], ["2.1", "1.9.9"]),
    ]


def osv(advisory_id: str, name: str, fixed: str) -> dict:
    return {
        "id": advisory_id,
        "summary": f"Problem {advisory_id}",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": name},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                ],
            }
        ],
    }


@pytest.mark.django_db
@pytest.mark.usefixtures("release_cycles")
def test_import_osv_reads_the_pypi_zip_and_json_files_and_rescores(tmp_path, capsys):
    """The OSV zip and a JSON list are imported; bad records are listed; packages rescored."""
    package = PackageFactory(pypi_name="django-foo", pypi_version="1.0")
    ReleaseFactory(package=package, version="1.0")
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("PYSEC-2026-1.json", json.dumps(osv("PYSEC-2026-1", "Django-Foo", "1.1")))
        zipped.writestr("PYSEC-2026-2.json", json.dumps(osv("PYSEC-2026-2", "other", "1.0")))
        zipped.writestr("broken.json", "{not json")
    listed = tmp_path / "more.json"
    listed.write_text(json.dumps([osv("GHSA-zz", "django-foo", "0.5"), {"summary": "no id"}]))

    with pytest.raises(CommandError, match="2 record"):
        call_command("import_osv", str(archive), str(listed))

    printed = capsys.readouterr()
    assert "3 advisories added" in printed.out
    assert "1 packages of the directory rescored" in printed.out
    assert "broken.json: not JSON" in printed.err
    assert "more.json record 2: 'id' is missing" in printed.err
    assert AffectedPackage.objects.filter(name="django-foo").count() == 2
    score = PackageScore.objects.get(package=package)
    assert [advisory["id"] for advisory in score.advisories] == ["PYSEC-2026-1"]

    with pytest.raises(CommandError, match="1 record"):
        call_command("import_osv", str(archive))  # Again: nothing changes.
    assert "0 advisories added, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert Advisory.objects.count() == 3


def test_import_osv_refuses_a_missing_file():
    """A path that does not exist stops the command before anything is read."""
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_osv", "/nonexistent/all.zip")
