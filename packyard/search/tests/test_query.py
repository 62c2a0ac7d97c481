"""Reading what people type: words, phrases, exclusions, prefixes, and clear refusals."""

import pytest

from packyard.search.query import SearchQueryError, Word, name_key, parse_query


def parse(text):
    return parse_query(text, max_length=200)


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_an_empty_query_is_refused_with_a_message(text):
    """Nothing to search for raises an error that asks for a word."""
    with pytest.raises(SearchQueryError, match="Type a word"):
        parse(text)


def test_a_long_query_is_refused_with_its_length():
    """A query over the limit says how long it is and what the limit is."""
    with pytest.raises(SearchQueryError, match="201 characters long; use at most 200"):
        parse("a" * 201)


def test_only_exclusions_are_refused():
    """A query that only leaves words out asks for something to find."""
    with pytest.raises(SearchQueryError, match="not only what to leave out"):
        parse("-celery -redis")


def test_words_phrases_and_exclusions_are_read_apart():
    """Quoted phrases, -words and -"phrases" and plain words each land in their place."""
    query = parse('"private messages" inbox -pinax -"rest framework"')

    assert query.phrases == (("private", "messages"),)
    assert query.words == (Word("inbox", prefix=True),)
    assert query.excluded == (("pinax",), ("rest", "framework"))


def test_only_the_last_word_is_a_prefix():
    """The last word may be half-typed; earlier words and numbers match whole."""
    assert parse("rest api perm").words == (
        Word("rest", prefix=False),
        Word("api", prefix=False),
        Word("perm", prefix=True),
    )
    assert parse("tables 2").words == (Word("tables", prefix=False), Word("2", prefix=False))
    assert parse("cel* beat").words == (Word("cel", prefix=True), Word("beat", prefix=True))


def test_stop_words_and_django_are_left_out_of_the_words():
    """ "tools for django rest" needs "tools" and "rest"; the name key keeps every word."""
    query = parse("tools for django rest")

    assert [word.text for word in query.words] == ["tools", "rest"]
    assert query.keys == ("toolsfordjangorest", "djangotoolsfordjangorest")


@pytest.mark.parametrize("text", ["django", "djang", "Djnago"])
def test_a_query_of_only_django_is_marked(text):
    """ "django", its beginning or a slip of it carries no meaning of its own."""
    assert parse(text).only_common


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("Django-Filter", ("djangofilter",)),
        ("django_filter", ("djangofilter",)),
        ("filter", ("filter", "djangofilter")),
        ("Django Q", ("djangoq",)),
    ],
)
def test_name_keys_ignore_case_spaces_dashes_and_underscores(text, keys):
    """The query compares with names without case, spaces, - and _; "django" may be left off."""
    assert parse(text).keys == keys


def test_name_key_of_a_title():
    """A title's key drops the same characters the query's does."""
    assert name_key("Django OAuth 2.0 Server-App_x") == "djangooauth20serverappx"


@pytest.mark.parametrize(
    "text",
    ['"', "*", ":", "(", ")", "NEAR(a b)", "-", "a -", '"unclosed phrase', "a:b", "^x", "{x}"],
)
def test_search_syntax_characters_become_separators(text):
    """FTS and tsquery syntax never reaches the database as syntax: only plain words remain."""
    try:
        query = parse(text)
    except SearchQueryError:
        return
    for word in query.all_words:
        assert word.isalnum()
