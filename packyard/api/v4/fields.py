"""Serializer fields that write values exactly as djangopackages.org's API v4 does."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone
from rest_framework import serializers
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from packyard.core.urls import reverse_kept


class DateTimeText(serializers.Field):  # type: ignore[type-arg]
    """A date and time in the configured TIME_ZONE, with its UTC offset ("+00:00", never "Z").

    `timespec` is "microseconds" for six fractional digits, trailing zeros kept
    ("2026-05-25T22:03:48.645000-04:00"), or "seconds" for whole seconds.
    """

    def __init__(self, *, timespec: str = "microseconds", **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self.timespec = timespec

    def to_representation(self, value: datetime) -> str:
        return timezone.localtime(value).isoformat(timespec=self.timespec)


# Where a serializer's context keeps what every link of one answer shares (its origin, and the
# `?format=` the request asked for): an answer of 100 packages holds some 180 links.
_LINK_PARTS = "packyard_link_parts"


def detail_link(field: serializers.Field, view_name: str, pk: int) -> str:  # type: ignore[type-arg]
    """Return the absolute link to a record, keeping the request's `?format=` and suffix.

    What DRF's `reverse(view_name, kwargs, request=..., format=...)` returns, with the path
    reversed once per process (`core.urls.reverse_kept`) and the origin and the `?format=`
    read once per answer: each reverse walked the URL patterns, a fifth of a long list.
    """
    context = field.context
    parts = context.get(_LINK_PARTS)
    if parts is None:
        request = context["request"]
        override = api_settings.URL_FORMAT_OVERRIDE
        asked = request.GET.get(override) if override else None
        parts = (request.build_absolute_uri("/")[:-1], override, asked)
        context[_LINK_PARTS] = parts  # type: ignore[index]  # The answer's own dict.
    origin, override, asked = parts
    kwargs: dict[str, str | int] = {"pk_or_slug": pk}
    if (suffix := context.get("format")) is not None:
        kwargs["format"] = suffix
    url = origin + reverse_kept(view_name, **kwargs)
    # As DRF's preserve_builtin_query_params: a `?format=` asked is kept on every link.
    return replace_query_param(url, override, asked) if asked is not None else url


class Link(serializers.Field):  # type: ignore[type-arg]
    """An absolute link to one record, from its id."""

    def __init__(self, *, view_name: str, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self.view_name = view_name

    def to_representation(self, value: int) -> str:
        return detail_link(self, self.view_name, value)


class Links(serializers.Field):  # type: ignore[type-arg]
    """Absolute links to related rows: each row's `attribute` is the id linked to.

    The rows come in the order given, or sorted by `order` when one is set.
    """

    def __init__(
        self,
        *,
        view_name: str,
        attribute: str = "pk",
        order: Callable[[Any], Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)
        self.view_name = view_name
        self.attribute = attribute
        self.order = order

    def to_representation(self, value: Iterable[Any]) -> list[str]:
        rows = sorted(value, key=self.order) if self.order else list(value)
        return [detail_link(self, self.view_name, getattr(row, self.attribute)) for row in rows]
