"""The house stays readable: product modules of a readable size, layers checked by lint-imports."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LONGEST_MODULE = 500


def product_modules():
    """Yield every Python module of the product: not tests, not migrations."""
    for path in sorted((ROOT / "packyard").rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def test_no_product_module_is_over_500_lines():
    """Each module of `packyard/` (tests and migrations aside) holds at most 500 lines."""
    long_ones = {
        str(path.relative_to(ROOT)): lines
        for path in product_modules()
        if (lines := len(path.read_text().splitlines())) > LONGEST_MODULE
    }
    assert long_ones == {}


def test_the_walk_finds_the_product():
    """The check reads the apps' modules (a guard against a walk that finds nothing)."""
    names = {path.relative_to(ROOT).as_posix() for path in product_modules()}
    assert "packyard/catalog/models.py" in names
    assert not any("/tests/" in name or "/migrations/" in name for name in names)
