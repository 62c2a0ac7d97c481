"""Generated JSON around the documented shapes, and checks of what parsers return."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from hypothesis import event
from hypothesis import strategies as st

from packyard.sources.errors import SourceError
from packyard.sources.parsing import MAX_COUNT

ODD_TEXT = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Z", "Cc", "Cf", "Mn"]),
    max_size=40,
)
HUGE_TEXT = st.integers(min_value=1, max_value=20_000).map(lambda n: "x\x00" * n)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ODD_TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(ODD_TEXT, children, max_size=3)
    ),
    max_leaves=8,
)


def mostly(
    good: st.SearchStrategy[object], *bad: st.SearchStrategy[object]
) -> st.SearchStrategy[object]:
    """Draw from `good` about 15 times in 16, else from `bad` (anything JSON when none given)."""
    # Hypothesis favours an integer's bounds, so the rare branch sits in the middle.
    wrong = st.one_of(*(bad or (ANY_JSON,)))
    return st.integers(0, 15).flatmap(lambda pick: wrong if pick == 7 else good)


def shaped(fields: dict[str, st.SearchStrategy[object]]) -> st.SearchStrategy[object]:
    """Mostly an object with every documented key; sometimes keys left out, or not an object."""
    return mostly(
        st.fixed_dictionaries(fields), st.fixed_dictionaries({}, optional=fields), ANY_JSON
    )


# Mostly the documented type (so most answers parse and their facts are checked), sometimes not.
TEXT = mostly(ODD_TEXT | HUGE_TEXT | st.none(), ANY_JSON)
NAME = st.from_regex(r"[A-Za-z0-9_.-]{1,20}", fullmatch=True)
PATH = mostly(st.builds("{}/{}".format, NAME, NAME), st.just("a//b"), TEXT)
NESTED_PATH = mostly(st.lists(NAME, min_size=2, max_size=4).map("/".join), st.just("a/ b"), TEXT)
COUNT = mostly(
    st.integers(min_value=0, max_value=100_000),
    st.integers(),
    st.just(MAX_COUNT + 1),
    st.sampled_from(["12", 1.5, True, None]),
    ANY_JSON,
)
FLAG = mostly(st.booleans(), st.sampled_from(["true", "false", 0, 1, None]), ANY_JSON)
TIME = mostly(
    st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat())
    | st.sampled_from(
        [
            "2026-03-18T12:00:00Z",
            "2026-03-18T12:00:00.1234567891+02:00",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
        ]
    ),
    st.sampled_from(["yesterday", ""]),
    st.none(),
    ANY_JSON,
)


def maybe_list(items: st.SearchStrategy[object], max_size: int = 4) -> st.SearchStrategy[object]:
    """Mostly a list of `items`, sometimes a list of anything or not a list."""
    return mostly(st.lists(items, max_size=max_size), st.lists(ANY_JSON, max_size=3), ANY_JSON)


def parsed(parse, body):
    """Return what `parse` gives for `body`, or None when it raised a typed error."""
    try:
        result = parse(body)
    except SourceError:
        event("a typed error")
        return None
    event("parsed")
    return result


def assert_clean(value: object) -> None:
    """Assert a parsed value has the documented types: clean text, counts, aware UTC times."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name != "id":  # A host's own id (GitLab's pass 2**31), not a count.
                assert_clean(getattr(value, field.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            assert_clean(item)
    elif isinstance(value, str):
        assert "\x00" not in value
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        assert 0 <= value <= MAX_COUNT
    elif isinstance(value, datetime):
        assert value.tzinfo is UTC
    else:
        raise AssertionError(f"unexpected {type(value).__name__}: {value!r:.80}")


def assert_fields_were(body: object, kinds: dict[str, tuple[type, ...]]) -> None:
    """Assert each field of a parsed answer had its documented type: none was taken as empty."""
    assert isinstance(body, dict)
    for name, allowed in kinds.items():
        value = body.get(name)
        assert isinstance(value, allowed), f"{name}={value!r:.80} was parsed"
        assert not isinstance(value, bool) or bool in allowed, f"{name}={value!r} was parsed"
