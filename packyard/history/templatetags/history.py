"""Show a recorded change as a readable diff: each field, before → after."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.dateparse import parse_datetime
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from packyard.history.models import Change

register = template.Library()

EMPTY = "(empty)"
# Recorded names that are not model fields.
EXTRA_LABELS = {"cells": "cells", "feature_order": "order of features"}
# Text this long, or over several lines, is shown as a word diff rather than two values.
LONG_TEXT = 60
_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class FieldDiff:
    """One field of a change: its label, the values before and after, a word diff if long."""

    label: str
    before: str
    after: str
    words: SafeString | None = None


def _label(change: Change, name: str) -> str:
    if name in EXTRA_LABELS:
        return EXTRA_LABELS[name]
    try:
        model = apps.get_model(change.target_type)
        return str(model._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name.replace("_", " ")


def _shown(change: Change, side: str, name: str) -> str:
    labels = change.labels.get(name) if isinstance(change.labels, dict) else None
    if labels and side in labels:
        return str(labels[side]) or EMPTY
    value: Any = change.value(side, name)
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or EMPTY
    if isinstance(value, str) and (moment := _datetime(value)) is not None:
        return str(moment.strftime("%Y-%m-%d %H:%M"))
    return str(value)


def _datetime(text: str) -> Any:
    try:
        return parse_datetime(text) if len(text) >= 19 and text[4] == "-" else None
    except ValueError:
        return None


def word_diff(before: str, after: str) -> SafeString:
    """Mark the words removed (<del>) and added (<ins>) between two texts, escaped."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        removed = conditional_escape("".join(old[old_start:old_end]))
        added = conditional_escape("".join(new[new_start:new_end]))
        if operation == "equal":
            parts.append(removed)
            continue
        if removed:
            parts.append(format_html("<del>{}</del>", removed))
        if added:
            parts.append(format_html("<ins>{}</ins>", added))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above.


@register.simple_tag
def change_diff(change: Change) -> list[FieldDiff]:
    """Return each recorded field of a change as a readable before → after."""
    diffs = []
    for name in change.fields:
        before, after = _shown(change, "before", name), _shown(change, "after", name)
        words = None
        raw_before, raw_after = change.value("before", name), change.value("after", name)
        if isinstance(raw_before, str) and isinstance(raw_after, str):
            longest = max(len(raw_before), len(raw_after))
            if longest > LONG_TEXT or "\n" in raw_before + raw_after:
                words = word_diff(raw_before, raw_after)
        diffs.append(FieldDiff(label=_label(change, name), before=before, after=after, words=words))
    return diffs
