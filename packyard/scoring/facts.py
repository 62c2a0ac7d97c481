"""A package's facts version (`packyard.catalog.facts`) grows when its score is written too:
summaries of a package show its score, its parts, its support and its advisories.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

from packyard.catalog.facts import PACKAGES, bump
from packyard.core.database import triggers_drop, triggers_install

TRIGGER_PREFIX = "packyard_scorefacts_"
SCORES = "scoring_packagescore"

_SQLITE = {
    f"{TRIGGER_PREFIX}insert": f"AFTER INSERT ON {SCORES} BEGIN {bump('id = NEW.package_id')} END",
    f"{TRIGGER_PREFIX}delete": f"AFTER DELETE ON {SCORES} BEGIN {bump('id = OLD.package_id')} END",
    f"{TRIGGER_PREFIX}update": (
        f"AFTER UPDATE ON {SCORES} BEGIN {bump('id = OLD.package_id OR id = NEW.package_id')} END"
    ),
}
_POSTGRESQL = [
    f"""
CREATE OR REPLACE FUNCTION {TRIGGER_PREFIX}score() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        {bump("id = OLD.package_id")}
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.package_id <> OLD.package_id) THEN
        {bump("id = NEW.package_id")}
    END IF;
    RETURN NULL;
END $$;
""",
    f"DROP TRIGGER IF EXISTS {TRIGGER_PREFIX}score ON {SCORES}",
    f"CREATE TRIGGER {TRIGGER_PREFIX}score AFTER INSERT OR DELETE OR UPDATE ON {SCORES} "
    f"FOR EACH ROW EXECUTE FUNCTION {TRIGGER_PREFIX}score()",
]
NEEDS = {SCORES: (), PACKAGES: ("facts_version",)}


def score_facts_triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Install the triggers that move a package's facts version with its score."""
    triggers_install(connection, sqlite=_SQLITE, postgresql=_POSTGRESQL)


def score_facts_triggers_uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop them (before migrations, which may rebuild their tables)."""
    triggers_drop(connection, TRIGGER_PREFIX)
