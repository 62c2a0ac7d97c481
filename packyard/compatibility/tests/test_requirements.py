"""Tests of reading a pasted requirements.txt or pyproject dependency list."""

from __future__ import annotations

from pathlib import Path

from packyard.compatibility.requirements import parse_requirements

REAL_FILE = (
    Path(__file__).resolve().parents[2] / "scoring" / "tests" / "data" / "requirements-30.txt"
)


def test_a_real_30_line_requirements_file_is_read_line_by_line():
    """Every package line of a real 30-line file is read; options and bad lines are listed."""
    text = REAL_FILE.read_text()
    assert len(text.splitlines()) == 30

    parsed = parse_requirements(text)

    names = [item.name for item in parsed.requirements]
    assert len(names) == 25
    assert names[:3] == ["django", "django-allauth", "django-crispy-forms"]
    assert "django-reversion" in names  # django_reversion, normalised.
    assert "psycopg" in names  # Joined across the backslash, --hash dropped.
    assert "django-internal-widgets" in names  # From #egg= of an editable VCS line.
    assert {item.line.number for item in parsed.skipped} == {2, 3}
    assert [(item.line.number, item.line.text) for item in parsed.unreadable] == [
        (29, "django-oldthing=1.0")
    ]
    assert parsed.unreadable[0].reason.startswith("not a PEP 508 requirement")
    psycopg = next(item for item in parsed.requirements if item.name == "psycopg")
    assert psycopg.line.number == 22
    assert str(psycopg.requirement.specifier) == "==3.2.3"
    requests = next(item for item in parsed.requirements if item.name == "requests")
    assert str(requests.requirement) == "requests>=2.32"  # The comment is gone.


def test_a_whole_pyproject_is_read_with_its_optional_dependencies():
    """A pasted pyproject.toml gives its dependencies and optional ones, with their lines."""
    text = """[project]
name = "site"
dependencies = [
    "Django>=5.2,<6",
    "django-htmx==1.29.0",
]

[project.optional-dependencies]
dev = ["pytest-django"]
"""
    parsed = parse_requirements(text)

    assert [(item.name, item.line.number) for item in parsed.requirements] == [
        ("django", 4),
        ("django-htmx", 5),
        ("pytest-django", 9),
    ]
    assert parsed.unreadable == []


def test_a_bare_pyproject_list_is_read():
    """Quoted, comma-ended lines of a pyproject list are read without their TOML header."""
    parsed = parse_requirements('  "django-filter>=24",\n  "celery[redis]>=5",\n')

    assert [item.name for item in parsed.requirements] == ["django-filter", "celery"]


def test_duplicates_are_kept_once_and_garbage_is_listed_not_fatal():
    """A package listed twice is kept once; a line of garbage is listed as unreadable."""
    parsed = parse_requirements("django-q==1.0\nDjango_Q>=1\n!!! what\nhttps://example.org/x.zip\n")

    assert [item.name for item in parsed.requirements] == ["django-q"]
    assert [item.line.number for item in parsed.unreadable] == [3, 4]
    assert "#egg=NAME" in parsed.unreadable[1].reason
