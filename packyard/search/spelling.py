"""Correct the words of a query that no package has to the nearest words of the index."""

from __future__ import annotations

from django.db import connection
from rapidfuzz.distance import OSA

from packyard.search.backends import Backend
from packyard.search.query import PREFIX_MIN_LENGTH, ParsedQuery


def corrections_for(*, backend: Backend, query: ParsedQuery) -> dict[str, str]:
    """Return replacements for the words no package has: the nearest word of the index.

    The candidates are the index's words (names, grids, category, keywords) that start with
    the same letter and lie within one edit (words of up to 4 letters) or two; one statement
    tells which words are unknown and lists the candidates of each.
    """
    candidates = [word for word in query.words if len(word.text) >= PREFIX_MIN_LENGTH]
    if not candidates:
        return {}
    found_sql, found_params = backend.words_found(candidates)
    vocabulary_sql, vocabulary_params = backend.vocabulary([word.text for word in candidates])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT NULL AS word, NULL AS candidate, found.* FROM ({found_sql}) AS found "
            f"UNION ALL SELECT v.word, v.candidate{', NULL' * len(candidates)} "
            f"FROM ({vocabulary_sql}) AS v",
            found_params + vocabulary_params,
        )
        rows = cursor.fetchall()
    found = next(row[2:] for row in rows if row[0] is None)
    corrections = {}
    for word, hit in zip(candidates, found, strict=True):
        if hit:
            continue
        options = nearest_words(word.text, [str(row[1]) for row in rows if row[0] == word.text])
        if options:
            corrections[word.text] = options[0]
    return corrections


def _common_beginning(first: str, second: str) -> int:
    """Return how many letters two words share at their start."""
    length = 0
    for one, other in zip(first, second, strict=False):
        if one != other:
            break
        length += 1
    return length


def nearest_words(word: str, candidates: list[str], *, keep: int = 3) -> list[str]:
    """Return the candidates nearest to `word` by edits, best first (none when too far)."""
    allowed = 1 if len(word) <= 4 else 2
    ranked = []
    for candidate in set(candidates):
        if candidate == word or abs(len(candidate) - len(word)) > allowed:
            continue
        distance = OSA.distance(word, candidate, score_cutoff=allowed)
        if distance > allowed:
            continue
        # Fewer edits first; then the longer common beginning ("filtr": filter, not filer);
        # then the nearer length.
        shared = _common_beginning(word, candidate)
        ranked.append((distance, -shared, abs(len(candidate) - len(word)), candidate))
    return [candidate for *_, candidate in sorted(ranked)[:keep]]
