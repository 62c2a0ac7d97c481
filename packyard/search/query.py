"""What a person typed, read into words, phrases and exclusions that no search syntax can break.

Every word becomes a plain run of letters and digits, so characters that mean something to
SQLite FTS5 or PostgreSQL's tsquery (`"`, `*`, `:`, `(`, `^`, `NEAR`, `-`, `&`, `|`, `!`) reach
the database only as separators or as plain words, never as operators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rapidfuzz.distance import OSA

# Whole-word query limits. Longer text is refused with a message; it is never cut silently.
MAX_WORDS = 12
# Words this short are matched whole: "q" must not mean every word that starts with q.
PREFIX_MIN_LENGTH = 3

# Words every Django package carries; they do not help to tell packages apart. A query made of
# nothing else still finds packages (see `ParsedQuery.only_common`).
COMMON_WORDS = frozenset({"django"})

# English words that carry no meaning in a search (PostgreSQL's and Snowball's English list),
# so "tools for rest apis" needs neither "for" on SQLite nor anything PostgreSQL would drop.
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)

# Characters left out of a name when comparing names: "Django-Filter", "django_filter" and
# "django filter" are the same name. The SQL side removes the same characters (schema.py).
NAME_SEPARATORS = " -_."
# Names also match without this leading word: "allauth" is the name of "django-allauth".
NAME_PREFIX = "django"

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_NAME_DROP = str.maketrans("", "", NAME_SEPARATORS)
_WORD = re.compile(r"[^\W_]+")
# A quoted phrase (closed or not) or a bare run of non-space characters, each maybe after "-".
_PIECE = re.compile(r'(?P<minus>-?)(?:"(?P<phrase>[^"]*)"?|(?P<bare>[^\s"]+))')


class SearchQueryError(ValueError):
    """A query that cannot be searched; the message says what to change."""


def ascii_lower(text: str) -> str:
    """Lower-case A-Z only, as SQLite's lower() does, so both sides compare alike."""
    return text.translate(_ASCII_LOWER)


def name_key(text: str) -> str:
    """Return a name as names are compared: ASCII lower case, without spaces, -, _ and dots."""
    return ascii_lower(text).translate(_NAME_DROP)


def words_of(text: str) -> list[str]:
    """Split text into lower-case words of letters and digits."""
    return [word.lower() for word in _WORD.findall(text)]


@dataclass(frozen=True)
class Word:
    """A word every result must contain (or, after relaxing, may contain)."""

    text: str
    prefix: bool


@dataclass(frozen=True)
class ParsedQuery:
    """A query read into parts; each backend turns it into its own syntax."""

    text: str
    words: tuple[Word, ...]
    phrases: tuple[tuple[str, ...], ...]
    excluded: tuple[tuple[str, ...], ...]
    # Every word that is not excluded, in order, for comparing the query with names.
    name_words: tuple[str, ...]
    only_common: bool = False
    any_word: bool = False

    @property
    def keys(self) -> tuple[str, ...]:
        """Return the name keys the query may equal: as typed, and with "django" before it."""
        key = "".join(self.name_words)
        if not key:
            return ()
        return (key,) if key.startswith(NAME_PREFIX) else (key, NAME_PREFIX + key)

    @property
    def all_words(self) -> tuple[str, ...]:
        """Return every required word, phrase words included."""
        return tuple(word.text for word in self.words) + tuple(
            word for phrase in self.phrases for word in phrase
        )

    def relaxed(self) -> ParsedQuery:
        """Return the query that needs any one of its words instead of all of them."""
        return replace(self, any_word=True)

    def corrected(self, corrections: dict[str, str]) -> ParsedQuery:
        """Return the query with misspelt words replaced by the words found for them."""
        words = tuple(
            Word(corrections.get(word.text, word.text), word.prefix) for word in self.words
        )
        name_words = tuple(corrections.get(word, _common_word(word)) for word in self.name_words)
        return replace(
            self,
            text=" ".join(name_words),
            words=tuple(dict.fromkeys(words)),
            name_words=name_words,
        )


def parse_query(text: str, *, max_length: int) -> ParsedQuery:
    """Read a query; raise SearchQueryError with a message for an empty or too-long one."""
    text = " ".join(text.split())
    if not text:
        raise SearchQueryError("Type a word or a package name to search for.")
    if len(text) > max_length:
        raise SearchQueryError(
            f"The search text is {len(text)} characters long; use at most {max_length}."
        )
    words: list[Word] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    name_words: list[str] = []
    pieces = list(_PIECE.finditer(text))
    # The last piece that is not an exclusion may be half-typed.
    last_position = max(
        (position for position, piece in enumerate(pieces) if not piece["minus"]), default=-1
    )
    for position, match in enumerate(pieces):
        minus = bool(match["minus"])
        piece = match["phrase"] if match["phrase"] is not None else match["bare"]
        parts = tuple(words_of(piece))
        if not parts:
            continue
        if minus:
            excluded.append(parts)
            continue
        name_words.extend(ascii_lower(part) for part in _WORD.findall(piece))
        if match["phrase"] is not None and len(parts) > 1:
            phrases.append(parts)
        elif match["phrase"] is not None:
            words.append(Word(parts[0], prefix=False))
        else:
            # The last word may be half-typed ("djang"), earlier ones are whole (stemming
            # still finds "permissions" for "permission"); a star asks for a prefix anywhere.
            # Numbers match whole: "2" is not the start of "2023".
            starred = piece.endswith("*")
            last = position == last_position
            words.extend(
                Word(
                    part,
                    prefix=starred
                    or (
                        last
                        and index == len(parts) - 1
                        and len(part) >= PREFIX_MIN_LENGTH
                        and not part.isdigit()
                    ),
                )
                for index, part in enumerate(parts)
            )
    if len(words) + sum(len(phrase) for phrase in phrases) > MAX_WORDS:
        raise SearchQueryError(f"Use at most {MAX_WORDS} words.")
    if not words and not phrases:
        if excluded:
            raise SearchQueryError("Say what to find, not only what to leave out.")
        raise SearchQueryError("Type a word or a package name to search for.")
    meaningful = [word for word in words if word.text not in STOP_WORDS]
    if meaningful or phrases:
        words = meaningful
    unique = list(dict.fromkeys(words))
    specific = [word for word in unique if not is_common(word)]
    only_common = not specific and not phrases
    return ParsedQuery(
        text=text,
        words=tuple(unique if only_common else specific),
        phrases=tuple(phrases),
        excluded=tuple(excluded),
        name_words=tuple(name_words),
        only_common=only_common,
    )


def is_common(word: Word) -> bool:
    """Tell whether a word is a common word, its beginning, or a one-letter slip of it."""
    for common in COMMON_WORDS:
        if word.text == common:
            return True
        if word.prefix and len(word.text) >= PREFIX_MIN_LENGTH and common.startswith(word.text):
            return True
        if len(word.text) >= len(common) - 1 and OSA.distance(word.text, common) <= 1:
            return True
    return False


def _common_word(word: str) -> str:
    """Return the common word a slip stands for ("djnago": "django"), or the word itself."""
    for common in COMMON_WORDS:
        if word != common and len(word) >= len(common) and OSA.distance(word, common) <= 1:
            return common
    return word
