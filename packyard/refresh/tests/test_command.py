"""`manage.py refresh`: fetch named or selected packages now, or queue them for the worker."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from packyard.refresh.models import FetchState
from tests.fakes import make_commits

from .conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def refresh(*args, capsys):
    """Run the command; return what it printed (the progress bar's lines included)."""
    out = StringIO()
    call_command("refresh", *args, stdout=out)
    printed = capsys.readouterr()
    return out.getvalue() + printed.out


@pytest.fixture
def packages(upstreams):
    """A GitHub package with a PyPI project, a GitLab one, and a Bitbucket one; none fetched."""
    upstreams.github.add("owner/django-hub", stars=11, commits=make_commits(4, now=NOW))
    upstreams.pypi.add("django-hub", version="3.1")
    upstreams.gitlab.add("group/sub/django-lab", stars=22, commits=make_commits(4, now=NOW))
    upstreams.bitbucket.add("owner/django-bucket", stars=33, commits=make_commits(4, now=NOW))
    return {
        "hub": upstreams.package("github", "owner/django-hub", pypi_name="django-hub"),
        "lab": upstreams.package("gitlab", "group/sub/django-lab"),
        "bucket": upstreams.package("bitbucket", "owner/django-bucket"),
    }


def stars(package):
    package.refresh_from_db()
    return package.stars


def test_named_packages_are_fetched_and_changes_printed(packages, upstreams, capsys):
    """Slugs are fetched in the foreground; each change is printed with what changed."""
    printed = refresh("django-hub", "django-lab", capsys=capsys)

    assert "django-hub (repository): " in printed
    assert "stars" in printed.split("django-hub (repository): ")[1].splitlines()[0]
    assert "django-hub (pypi): " in printed
    assert "django-lab (repository): " in printed
    assert "Done: 3 fetches: 3 changed something, 0 unchanged, 0 failed." in printed
    assert (stars(packages["hub"]), stars(packages["lab"])) == (11, 22)
    assert stars(packages["bucket"]) is None
    assert not upstreams.bitbucket.seen


def test_unchanged_packages_are_not_printed(packages, upstreams, capsys):
    """A fetch that changes nothing is not printed; one that changes something is."""
    refresh("django-hub", "django-lab", capsys=capsys)
    upstreams.gitlab.get("group/sub/django-lab").stars = 23

    printed = refresh("django-hub", "django-lab", capsys=capsys)

    assert "django-lab (repository): stars changed" in printed
    assert "django-hub" not in printed
    assert ": unchanged" not in printed
    assert "Done: 3 fetches: 1 changed something, 2 unchanged, 0 failed." in printed


def test_failures_are_printed(packages, upstreams, capsys):
    """A fetch that fails is printed with its error."""
    upstreams.gitlab.fail(r"/projects/group/sub/django-lab$", 503)

    printed = refresh("django-lab", capsys=capsys)

    assert "django-lab (repository): UpstreamError:" in printed
    assert "503" in printed
    assert "1 failed" in printed


def test_unknown_slug_is_an_error_naming_it(packages, upstreams):
    """An unknown slug stops the command before anything is fetched, and says which."""
    with pytest.raises(CommandError, match="No package with slug: no-such-package"):
        call_command("refresh", "django-hub", "no-such-package")

    assert upstreams.requests() == 0


def test_no_arguments_is_a_clear_error(packages, upstreams):
    """Without slugs, --all or --stale-hours the command says what it needs."""
    with pytest.raises(CommandError, match="Name packages by slug, or use --all or --stale-hours"):
        call_command("refresh")

    assert upstreams.requests() == 0


def test_all_fetches_every_package(packages, capsys):
    """--all fetches every package."""
    printed = refresh("--all", capsys=capsys)

    assert [stars(package) for package in packages.values()] == [11, 22, 33]
    assert "Done: 4 fetches" in printed


def test_host_keeps_one_kind_of_host(packages, upstreams, capsys):
    """--all --host gitlab fetches only GitLab packages."""
    refresh("--all", "--host", "gitlab", capsys=capsys)

    assert [stars(package) for package in packages.values()] == [None, 22, None]
    assert upstreams.requests() == len(upstreams.gitlab.seen)


def test_host_filters_named_packages(packages, upstreams, capsys):
    """Slugs with --host github fetch only those of them on GitHub."""
    refresh("django-hub", "django-lab", "--host", "github", capsys=capsys)

    assert (stars(packages["hub"]), stars(packages["lab"])) == (11, None)
    assert not upstreams.gitlab.seen


def test_stale_hours_fetches_only_older_facts(packages, upstreams, capsys, time_machine):
    """--stale-hours N fetches packages never fetched or fetched more than N hours ago."""
    refresh("django-hub", "django-lab", capsys=capsys)
    time_machine.move_to(NOW + timedelta(hours=5), tick=False)
    refresh("django-lab", capsys=capsys)
    time_machine.move_to(NOW + timedelta(hours=7), tick=False)
    asked = {name: len(fake.seen) for name, fake in upstreams.fakes.items()}

    refresh("--stale-hours", "6", capsys=capsys)

    # django-hub (7 h old) and django-bucket (never) are fetched; django-lab (2 h old) is not.
    assert len(upstreams.github.seen) > asked["github"]
    assert len(upstreams.bitbucket.seen) > asked["bitbucket"]
    assert len(upstreams.gitlab.seen) == asked["gitlab"]
    assert stars(packages["bucket"]) == 33


def test_stale_hours_with_host(packages, upstreams, capsys):
    """--stale-hours N --host bitbucket keeps the Bitbucket packages among the stale ones."""
    refresh("--stale-hours", "1", "--host", "bitbucket", capsys=capsys)

    assert [stars(package) for package in packages.values()] == [None, None, 33]


def test_source_pypi_fetches_pypi_only(packages, upstreams, capsys):
    """--source pypi fetches releases and asks no code host."""
    printed = refresh("django-hub", "--source", "pypi", capsys=capsys)

    assert "django-hub (pypi): " in printed
    packages["hub"].refresh_from_db()
    assert packages["hub"].pypi_version == "3.1"
    assert packages["hub"].stars is None
    assert not upstreams.github.seen


def test_enqueue_queues_tasks_and_fetches_nothing(packages, upstreams, capsys):
    """--enqueue queues one task per package for the worker and asks no upstream."""
    printed = refresh("--all", "--enqueue", capsys=capsys)

    assert "Queued 3 package(s) for the worker." in printed
    queued = sorted(result.args_kwargs["args"][0] for result in DBTaskResult.objects.all())
    assert queued == sorted(package.pk for package in packages.values())
    assert upstreams.requests() == 0
    assert not FetchState.objects.exists()


def test_nothing_to_fetch_says_so(packages, capsys):
    """A selection with no packages says there is nothing to fetch."""
    printed = refresh("django-hub", "--host", "gitlab", capsys=capsys)

    assert "No packages to fetch." in printed
