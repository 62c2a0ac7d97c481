"""Benchmark of search quality: judged queries over the demo data, on SQLite and PostgreSQL.

Not a test. Each query comes with the package or packages a Django developer typing it would
expect first, judged from the packages themselves (name, description, grids, stars, last
commit), not from what the ranker answers: exact names, names half-typed, misspelt names and
words, and needs described in words. Where two packages would satisfy the developer equally
(two maintained task queues), both are accepted.

    .venv/bin/python bench/search_quality.py                     # SQLite and PostgreSQL
    .venv/bin/python bench/search_quality.py --backends sqlite
    .venv/bin/python bench/search_quality.py --show              # every query's top three

Each backend runs in a process of its own with a fresh database (a temporary SQLite file, a new
PostgreSQL database on 127.0.0.1) holding the demo data (`make run`'s 111 packages, 78 grids).
Prints top-1 and top-3 hit rates and the mean reciprocal rank (within the first 10) per kind of
query and in all, then the misses. Targets (issue 5): top-1 at least 90 %, top-3 at least 97 %.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]  # The project, and the runner beside this file.

from databases import print_result, run_in_fresh_database, setup_django  # noqa: E402

# (kind, query, titles a developer expects first). Titles are the demo packages' titles.
JUDGED: list[tuple[str, str, tuple[str, ...]]] = [
    # Exact names, as a developer copies them from a requirements file or a README.
    ("exact name", "django-q", ("Django Q",)),
    ("exact name", "Django Q", ("Django Q",)),
    ("exact name", "django-organizations", ("django-organizations",)),
    ("exact name", "django-messages", ("django-messages",)),
    ("exact name", "pinax-messages", ("pinax-messages",)),
    ("exact name", "django-scheduler", ("django-scheduler",)),
    ("exact name", "django-cache-machine", ("django-cache-machine",)),
    ("exact name", "django-recurrence", ("django-recurrence",)),
    ("exact name", "HawkREST", ("HawkREST",)),
    ("exact name", "django_extra_settings", ("django-extra-settings",)),
    ("exact name", "djangorestframework-mvt", ("djangorestframework-mvt",)),
    ("exact name", "django-tagging", ("django-tagging",)),
    ("exact name", "modelqueue", ("modelqueue",)),
    ("exact name", "django-scopes", ("django-scopes",)),
    ("exact name", "oauth2app", ("Django OAuth 2.0 Server App",)),
    ("exact name", "sse_relay_server", ("sse-relay-server",)),
    ("exact name", "arecibo", ("arecibo",)),
    ("exact name", "organizations", ("django-organizations",)),
    # Names half-typed, as in the search box while typing.
    ("prefix", "django-organ", ("django-organizations",)),
    ("prefix", "django-recurr", ("django-recurrence",)),
    ("prefix", "django-sched", ("django-scheduler",)),
    ("prefix", "pinax-mess", ("pinax-messages",)),
    ("prefix", "django-extra-sett", ("django-extra-settings",)),
    ("prefix", "vectortil", ("django-vectortiles",)),
    ("prefix", "hawkr", ("HawkREST",)),
    ("prefix", "django-masq", ("django-masquerade",)),
    ("prefix", "django-lightw", ("django-lightweight-queue",)),
    ("prefix", "starcross", ("Django Starcross Gallery",)),
    ("prefix", "recurren", ("django-recurrence",)),
    ("prefix", "organiz", ("django-organizations",)),
    # Misspellings of names and of words.
    ("misspelling", "djnago-organizations", ("django-organizations",)),
    ("misspelling", "django-orgnaizations", ("django-organizations",)),
    ("misspelling", "shedular", ("django-scheduler",)),
    ("misspelling", "django-reccurence", ("django-recurrence",)),
    ("misspelling", "pinax-mesages", ("pinax-messages",)),
    ("misspelling", "djnago q", ("Django Q",)),
    ("misspelling", "django-cahce-machine", ("django-cache-machine",)),
    ("misspelling", "masquarade", ("django-masquerade",)),
    ("misspelling", "django-extra-setings", ("django-extra-settings",)),
    ("misspelling", "hawkrset", ("HawkREST",)),
    # The demo has no django-filter; its one URL-filtering package is what a developer gets.
    ("misspelling", "djnago filtr", ("Django URL Filter",)),
    ("misspelling", "django-vectortils", ("django-vectortiles",)),
    ("misspelling", "recurence", ("django-recurrence",)),
    ("misspelling", "permisions", ("django-authority", "django-flexible-permissions")),
    ("misspelling", "websokets", ("Django Instant",)),
    # Needs described in words.
    ("need", "task queue", ("Django Q", "django-lightweight-queue")),
    ("need", "private messages", ("django-messages", "pinax-messages")),
    ("need", "object permissions", ("django-authority", "django-flexible-permissions")),
    ("need", "maintenance mode", ("django-downtime", "django-site-maintenance")),
    ("need", "multi tenancy", ("django-scopes", "django-organizations")),
    ("need", "recurring dates", ("django-recurrence",)),
    ("need", "calendar", ("django-scheduler",)),
    ("need", "rate limiting", ("django-rated",)),
    ("need", "websockets", ("Django Instant",)),
    ("need", "location field map", ("django-location-field",)),
    ("need", "vector tiles", ("django-vectortiles", "djangorestframework-mvt")),
    ("need", "impersonate users", ("django-masquerade", "django-userswitch")),
    ("need", "seo meta tags", ("django-ok-seo", "django-seo2")),
    ("need", "tagging", ("django-tagging",)),
    ("need", "image gallery", ("Django Starcross Gallery",)),
    ("need", "settings in the admin", ("django-extra-settings",)),
    ("need", "rest api user registration", ("Django-REST-registration",)),
    ("need", "state machine", ("django-logic",)),
    ("need", "error tracking", ("arecibo",)),
    ("need", "prevent concurrent editing", ("django-locking", "django-lock-tokens")),
    ("need", "orm caching", ("django-cache-machine",)),
    ("need", "server-sent events", ("sse-relay-server",)),
    ("need", "zero downtime migrations", ("Django Postpone Index",)),
    ("need", "profiler", ("django-live-profiler",)),
    ("need", "oauth2 server", ("Django OAuth 2.0 Server App",)),
    ("need", "sitemap", ("django-sitemapcfg",)),
    ("need", "invoices", ("django-simple-invoice",)),
    ("need", "login with email", ("django-emailauth",)),
    ("need", "form builder", ("django-dynamic-forms", "formunculous")),
    ("need", "drf pagination", ("drf-timeordered-pagination",)),
    ("need", "multiple databases", ("django-balancer",)),
    ("need", "tools for django rest framework", ("django-rest-tools",)),
    ("need", '"private messages" -pinax', ("django-messages", "django-threaded-messages")),
]
DEPTH = 10


def one_backend(database_url: str) -> list[dict[str, object]]:
    """Load the demo into a fresh database and answer every judged query (fresh process)."""
    setup_django(database_url)
    from django.core.management import call_command

    from packyard.importer.demo import demo_load
    from packyard.search.selectors import packages_search

    call_command("migrate", verbosity=0)
    demo_load()
    answers = []
    for kind, text, expected in JUDGED:
        found = packages_search(text=text, limit=DEPTH)
        titles = [hit.package.title for hit in found.hits]
        rank = next(
            (position for position, title in enumerate(titles, 1) if title in expected), None
        )
        answers.append(
            {
                "kind": kind,
                "query": text,
                "expected": list(expected),
                "top": titles[:3],
                "rank": rank,
                "corrected": found.corrected,
            }
        )
    return answers


def figures(answers: list[dict[str, object]]) -> tuple[float, float, float]:
    """Return top-1 and top-3 hit rates (%) and the mean reciprocal rank."""
    ranks = [answer["rank"] for answer in answers]
    top1 = sum(1 for rank in ranks if rank == 1) / len(ranks) * 100
    top3 = sum(1 for rank in ranks if rank is not None and rank <= 3) / len(ranks) * 100
    mrr = sum(1 / rank for rank in ranks if rank) / len(ranks)  # type: ignore[operator]
    return top1, top3, mrr


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--show", action="store_true", help="Print every query's top three.")
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.database_url:
        print_result(one_backend(arguments.database_url))
        return

    results = {
        backend: run_in_fresh_database(
            __file__, [], postgres=backend != "sqlite", name="packyard_search_quality"
        )
        for backend in arguments.backends
    }

    kinds = list(dict.fromkeys(kind for kind, _, _ in JUDGED))
    print(f"\nSearch quality: {len(JUDGED)} judged queries over the demo data (111 packages)")
    print(f"{'backend':<11} {'kind':<12} {'queries':>7} {'top-1':>7} {'top-3':>7} {'MRR':>6}")
    for backend, answers in results.items():
        for kind in [*kinds, "all"]:
            chosen = [a for a in answers if kind in ("all", a["kind"])]
            top1, top3, mrr = figures(chosen)
            print(
                f"{backend:<11} {kind:<12} {len(chosen):>7} {top1:>6.1f}% {top3:>6.1f}% {mrr:>6.3f}"
            )
    for backend, answers in results.items():
        misses = [a for a in answers if a["rank"] != 1]
        print(f"\n{backend}: {len(misses)} not first")
        for answer in misses if not arguments.show else answers:
            corrected = f" (searched: {answer['corrected']})" if answer["corrected"] else ""
            print(
                f"  {answer['query']!r}{corrected}: expected {answer['expected']}, "
                f"rank {answer['rank']}, top {answer['top']}"
            )


if __name__ == "__main__":
    main()
