"""The bulk dump: export, the /dump/ page and files, the daily task, and import (round trip)."""

import gzip
import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from crontask import scheduler
from django.core.management import call_command
from django.core.management.base import CommandError

from packyard.api.dump.fields import DumpImportError
from packyard.api.dump.services import dump_export, dump_import
from packyard.api.tasks import dump_export_task
from packyard.catalog.models import Category, Package, Release
from packyard.compatibility.models import PackageCompatibility, ReleaseCycle
from packyard.grids.models import Element, Feature, Grid
from packyard.refresh.models import FetchState, FetchStatus, Source
from packyard.scoring.models import Dependency, PackageScore, PackageStatus
from tests.factories import (
    CategoryFactory,
    ElementFactory,
    FeatureFactory,
    FetchedPackageFactory,
    GridFactory,
    GridPackageFactory,
    PackageFactory,
    ReleaseFactory,
    scoring_rows,
)

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 5, 25, 12, 0, tzinfo=UTC)
FILES = ("categories.jsonl.gz", "packages.jsonl.gz", "grids.jsonl.gz")


@pytest.fixture
def dump_root(settings, tmp_path):
    settings.DUMP_ROOT = tmp_path / "dump"
    return settings.DUMP_ROOT


@pytest.fixture
def catalogue():
    """Two categories; packages with releases, scores, answers, status and a replacement, an
    advisory, dependencies (one optional); two grids with features, columns and some cells."""
    tools = CategoryFactory(slug="tools", title="Tool", title_plural="Tools", description="")
    best = FetchedPackageFactory(slug="best", title="Best", pypi_version="2.0")
    old = FetchedPackageFactory(slug="old", title="Old", category=tools, pypi_version=None)
    plain = PackageFactory(slug="plain", title="Plain", repo_url="", repo_key=None)
    for version, day in (("1.0", 1), ("2.0", 3), ("2.1rc1", 5)):
        ReleaseFactory(package=best, version=version, upload_time=MOMENT + timedelta(days=day))
    ReleaseFactory(package=old, version="0.1", upload_time=None, yanked=True, yanked_reason="bug")
    old.deprecated_at = MOMENT
    old.archived_at = MOMENT - timedelta(days=9)
    old.replaced_by = best
    old.save(update_fields=["deprecated_at", "archived_at", "replaced_by"])
    scoring_rows(package=best, other=old)  # Best requires Old; an advisory affects Best.
    Dependency.objects.create(
        package=plain, target=best, requirement='best[forms]; extra == "x"', optional=True
    )
    django = ReleaseCycle.objects.get(product="django", cycle="6.0")
    PackageCompatibility.objects.update_or_create(
        package=best,
        cycle=django,
        defaults={"answer": "yes", "basis": "classifier", "evidence": "Says 6.0."},
    )
    FetchState.objects.create(
        package=best, source=Source.PYPI, status=FetchStatus.OK, last_success_at=MOMENT
    )
    FetchState.objects.create(
        package=best, source=Source.REPOSITORY, status=FetchStatus.OK, last_success_at=MOMENT
    )
    forms = GridFactory(slug="forms", title="Forms", is_locked=True)
    GridFactory(slug="empty", title="Empty")
    # Columns made in an order their titles do not follow, and a cell missing.
    columns = [GridPackageFactory(grid=forms, package=p) for p in (plain, best, old)]
    first = FeatureFactory(grid=forms, title="Fast", description="Is it *fast*?")
    second = FeatureFactory(grid=forms, title="Typed")
    for column, text in zip(columns, ("yes", "**no**", "?"), strict=True):
        ElementFactory(grid_package=column, feature=first, text=text)
    ElementFactory(grid_package=columns[2], feature=second, text="+")
    ElementFactory(grid_package=columns[0], feature=second, text="-")
    return best


def v5_answers(client):
    """Every API v5 answer the dump stands for, by address."""
    answers = {}
    for url in (
        "/api/v5/packages/?page_size=100",
        "/api/v5/packages/?page_size=100&ordering=name",
        "/api/v5/grids/?page_size=100",
        "/api/v5/categories/?page_size=100",
        "/api/v5/search/?q=best",
        "/api/v5/search/?q=django",
    ):
        answers[url] = client.get(url).json()
    for slug in Package.objects.values_list("slug", flat=True):
        for url in (f"/api/v5/packages/{slug}/", f"/api/v5/packages/{slug}/releases/"):
            answers[url] = client.get(url).json()
    for slug in Grid.objects.values_list("slug", flat=True):
        answers[f"/api/v5/grids/{slug}/"] = client.get(f"/api/v5/grids/{slug}/").json()
    return answers


def flush_catalogue():
    Grid.objects.all().delete()
    Package.objects.all().delete()
    Category.objects.all().delete()


def records(path):
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def test_export_then_import_answers_every_v5_address_the_same(client, dump_root, catalogue):
    """The round trip: export, empty the catalogue, import; every API v5 answer is as before."""
    before = v5_answers(client)
    call_command("export_dump")
    flush_catalogue()
    assert client.get("/api/v5/packages/").json()["results"] == []

    call_command("import_dump", str(dump_root))

    assert v5_answers(client) == before
    assert len(before) == 6 + 2 * 3 + 2
    assert before["/api/v5/search/?q=best"]["results"][0]["slug"] == "best"
    best = before["/api/v5/packages/best/"]
    assert [row["slug"] for row in best["dependencies"]] == ["old"]
    assert [(row["slug"], row["optional"]) for row in best["dependents"]] == [("plain", True)]
    assert [row["id"] for row in best["advisories"]] == ["GHSA-xxxx-yyyy-zzzz"]
    assert [row["slug"] for row in before["/api/v5/packages/old/"]["dependents"]] == ["best"]
    # What the package page shows beside them comes back too.
    assert PackageScore.objects.get(package__slug="old").dependents_count == 1
    assert PackageScore.objects.get(package__slug="best").latest_version == "2.0"
    # The kept feature ids moved the id sequence on: a new feature gets a free one.
    assert FeatureFactory(grid=Grid.objects.get(slug="forms")).pk > max(
        feature["id"] for feature in before["/api/v5/grids/forms/"]["features"]
    )


def api(client, url):
    """Return an API answer as the dump writes it: links absolute from SITE_URL."""
    text = client.get(url).content.decode().replace("http://testserver/", "http://127.0.0.1:8000/")
    return json.loads(text)


def test_the_files_hold_api_v5_records_and_the_manifest_lists_them(client, dump_root, catalogue):
    """Each line is the record API v5 answers (packages add every release, grids their
    times); the manifest gives each file's size, SHA-256 and count of records."""
    manifest = dump_export()

    packages = records(dump_root / "packages.jsonl.gz")
    assert [record["slug"] for record in packages] == ["best", "old", "plain"]
    for record in packages:
        releases = record.pop("releases")
        assert record == api(client, f"/api/v5/packages/{record['slug']}/")
        assert releases == api(client, record["releases_url"])["results"][::-1]
    assert packages[1]["status"]["replaced_by"]["slug"] == "best"
    grids = records(dump_root / "grids.jsonl.gz")
    assert [grid["slug"] for grid in grids] == ["forms", "empty"]
    for record in grids:
        del record["created"], record["modified"]
        assert record == api(client, f"/api/v5/grids/{record['slug']}/")
    categories = records(dump_root / "categories.jsonl.gz")
    assert categories == api(client, "/api/v5/categories/")["results"]
    saved = json.loads((dump_root / "manifest.json").read_text())
    assert [entry["name"] for entry in saved["files"]] == list(FILES)
    for entry in saved["files"]:
        data = (dump_root / entry["name"]).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert [file.records for file in manifest.files] == [2, 3, 2]
    assert not [path for path in dump_root.iterdir() if path.name.startswith(".")]


def test_a_failed_export_leaves_the_last_dump_whole(dump_root, catalogue, monkeypatch):
    """An export that fails midway replaces nothing and leaves no part-written file."""
    dump_export()
    before = {path.name: path.read_bytes() for path in dump_root.iterdir()}
    Package.objects.filter(slug="plain").update(title="Changed")

    def broken():
        yield {"slug": "forms"}
        raise RuntimeError("the database went away")

    monkeypatch.setattr("packyard.api.dump.services._grid_records", broken)
    with pytest.raises(RuntimeError):
        dump_export()

    assert {path.name: path.read_bytes() for path in dump_root.iterdir()} == before


def test_export_of_an_empty_database_writes_empty_files_that_import(dump_root):
    """With no catalogue the dump still has its three files, of no records, and imports."""
    manifest = dump_export()

    assert [file.records for file in manifest.files] == [0, 0, 0]
    assert all(records(dump_root / name) == [] for name in FILES)
    assert dump_import(source=str(dump_root)) == {"categories": 0, "packages": 0, "grids": 0}


def test_the_dump_page_lists_the_files_with_their_sha256(client, dump_root, catalogue):
    """/dump/ shows each file with its size, SHA-256 and time, linked; manifest.json too."""
    manifest = dump_export()
    response = client.get("/dump/")

    assert response.status_code == 200
    page = response.content.decode()
    for name in FILES:
        digest = hashlib.sha256((dump_root / name).read_bytes()).hexdigest()
        assert f'href="/dump/{name}"' in page
        assert digest in page
    listed = client.get("/dump/manifest.json").json()
    assert listed == json.loads(json.dumps(manifest.to_json()))


def test_the_dump_page_says_when_there_is_no_dump_yet(client, dump_root):
    """Before the first export, the page says so (200) and manifest.json is a 404."""
    response = client.get("/dump/")

    assert response.status_code == 200
    assert "No dump has been made yet" in response.content.decode()
    assert client.get("/dump/manifest.json").status_code == 404
    assert client.get("/dump/packages.jsonl.gz").status_code == 404


def test_the_dump_page_shows_a_new_dump_at_once(client, dump_root):
    """The page follows the files, not the database: no cached "no dump yet" after an export."""
    assert "No dump has been made yet" in client.get("/dump/").content.decode()

    dump_export()

    page = client.get("/dump/").content.decode()
    assert "No dump has been made yet" not in page
    assert 'href="/dump/grids.jsonl.gz"' in page


def test_a_folder_without_the_files_is_refused(dump_root, tmp_path):
    """Importing from a folder that lacks a file names the file and writes nothing."""
    with pytest.raises(DumpImportError, match=r"categories\.jsonl\.gz: missing"):
        dump_import(source=str(tmp_path))


def test_a_file_is_served_as_gzip_with_validators(client, dump_root, catalogue):
    """A dump file comes as it is (application/gzip, not packed again), with ETag and
    Last-Modified; asked again with its ETag it is a 304."""
    dump_export()
    response = client.get("/dump/packages.jsonl.gz", HTTP_ACCEPT_ENCODING="gzip, br")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in response
    assert b"".join(response.streaming_content) == (dump_root / "packages.jsonl.gz").read_bytes()
    assert response["Last-Modified"]
    again = client.get("/dump/packages.jsonl.gz", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/dump/secret.txt",
        "/dump/..%2Fsecret.txt",
        "/dump/%2E%2E/secret.txt",
        "/dump/..%5Csecret.txt",
        "/dump/.packages.jsonl.gz.part",
    ],
)
def test_only_the_three_files_are_served(client, dump_root, path):
    """Any other name, a path out of the folder included, is a 404."""
    dump_export()
    (dump_root / "secret.txt").write_text("no")
    (dump_root.parent / "secret.txt").write_text("no")

    assert client.get(path).status_code == 404


def test_import_from_a_url_reads_a_published_dump(dump_root, catalogue, httpserver_ipv4):
    """`import_dump http://…/dump/` fetches the manifest and files, checks them, imports."""
    dump_export()
    for name in (*FILES, "manifest.json"):
        httpserver_ipv4.expect_request(f"/dump/{name}").respond_with_data(
            (dump_root / name).read_bytes()
        )
    flush_catalogue()

    counts = dump_import(source=httpserver_ipv4.url_for("/dump/"))

    assert counts == {"categories": 2, "packages": 3, "grids": 2}
    assert Package.objects.get(slug="old").replaced_by.slug == "best"
    assert Release.objects.filter(package__slug="best").count() == 3


def test_a_file_that_is_not_the_manifests_is_refused(dump_root, catalogue, httpserver_ipv4):
    """A file whose SHA-256 is not the manifest's stops the import before it writes."""
    dump_export()
    for name in FILES:
        httpserver_ipv4.expect_request(f"/dump/{name}").respond_with_data(b"changed")
    httpserver_ipv4.expect_request("/dump/manifest.json").respond_with_data(
        (dump_root / "manifest.json").read_bytes()
    )
    flush_catalogue()

    with pytest.raises(DumpImportError, match=r"categories\.jsonl\.gz: its SHA-256"):
        dump_import(source=httpserver_ipv4.url_for("/dump/"))
    assert not Category.objects.exists()


def rewrite_line(path, number, change):
    lines = records(path)
    lines[number - 1] = change(lines[number - 1])
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for line in lines:
            out.write((line if isinstance(line, str) else json.dumps(line)) + "\n")


def test_a_bad_field_names_file_line_and_field_and_writes_nothing(dump_root, catalogue):
    """A wrong value on line 2 of packages: the error says where, and nothing is kept."""
    dump_export()
    flush_catalogue()

    def bad(record):
        record["facts"]["stars"]["value"] = "many"
        return record

    rewrite_line(dump_root / "packages.jsonl.gz", 2, bad)

    with pytest.raises(CommandError) as error:
        call_command("import_dump", str(dump_root))
    assert "packages.jsonl.gz:2: field facts.stars.value: expected a whole number" in str(
        error.value
    )
    assert not Category.objects.exists()
    assert not Package.objects.exists()


def test_a_line_that_is_not_json_or_a_missing_package_writes_nothing(dump_root, catalogue):
    """A broken line, or a grid naming a package the dump lacks, stops the whole import."""
    dump_export()
    flush_catalogue()
    rewrite_line(dump_root / "grids.jsonl.gz", 1, lambda record: '{"slug": "forms", ')

    with pytest.raises(DumpImportError, match=r"grids\.jsonl\.gz:1: not JSON"):
        dump_import(source=str(dump_root))
    assert not Package.objects.exists()
    assert not Feature.objects.exists()


def test_a_dependency_on_a_package_the_dump_lacks_writes_nothing(dump_root, catalogue):
    """Dependencies name their package by slug; one the dump does not hold stops the import."""
    dump_export()
    flush_catalogue()

    def elsewhere(record):
        record["dependencies"][0]["slug"] = "nowhere"
        return record

    rewrite_line(dump_root / "packages.jsonl.gz", 1, elsewhere)

    with pytest.raises(
        DumpImportError,
        match=r'packages\.jsonl\.gz:1: field dependencies\[0\]\.slug: no package "nowhere"',
    ):
        dump_import(source=str(dump_root))
    assert not Package.objects.exists()


def test_import_refuses_a_catalogue_that_is_not_empty(dump_root, catalogue):
    """The import rebuilds an empty directory; into a full one it writes nothing."""
    dump_export()

    with pytest.raises(DumpImportError, match="not empty"):
        dump_import(source=str(dump_root))
    assert Package.objects.count() == 3
    assert Element.objects.count() == 5
    assert PackageStatus.objects.count() == 1


def test_the_scheduler_writes_the_dump_daily(dump_root, catalogue):
    """The daily task is scheduled and writes the files /dump/ serves."""
    assert dump_export_task.name in {job.name for job in scheduler.get_jobs()}

    assert dump_export_task.call() == 2 + 3 + 2
    assert all((dump_root / name).is_file() for name in (*FILES, "manifest.json"))
