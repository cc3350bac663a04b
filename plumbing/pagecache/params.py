"""Which query parameters vary an answer, read from the view's own form or API classes.

A view's parameters come in two kinds. Those that pick among a bounded set
of answers (a page number, a page size) are *storable*: their valid values
are written in one canonical form, which is part of the copy's key, and the
view is given exactly that query string. Those that can take endless values
(a moment, a cursor, a free filter) still vary the answer, and its ETag, but
such an answer is never stored. Parameters the view does not know are left
out of the key and out of the request the view sees: they change nothing,
so they cannot create copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlencode

import django_filters
from django import forms
from django.http import QueryDict


@dataclass(frozen=True)
class Query:
    canonical: str  # the query string that names the answer ("" for none)
    storable: bool  # whether the answer may be kept and shared


class Params:
    """What every kind of parameters shares: reading a raw query string, remembered.

    The same few query strings come again and again, and reading one (parsing,
    validating) costs more than the rest of serving a shared copy.
    """

    REMEMBERED = 1024

    def read(self, query: QueryDict) -> Query | None:
        raise NotImplementedError

    def read_query_string(self, query_string: str) -> Query | None:
        remembered = self.__dict__.setdefault("_remembered", {})
        try:
            return remembered[query_string]
        except KeyError:
            pass
        query = self.read(QueryDict(query_string))
        if len(query_string) <= 300:  # a long one is junk, not worth a place
            if len(remembered) >= self.REMEMBERED:
                remembered.clear()
            remembered[query_string] = query
        return query


class FormParams(Params):
    """Parameters declared as the fields of a Django form.

    Fields named in `unshared` make an answer that is not stored (a reply link
    that opens the form on a given comment, say). An invalid value gives
    None: the view answers on its own (usually 404), and nothing is kept. A
    value that is the field's default (1, or the form's `DEFAULTS[name]`) names
    the same answer as no value.
    """

    def __init__(self, form_class: type[forms.Form], *, unshared: frozenset[str] = frozenset()):
        self.form_class = form_class
        self.unshared = unshared

    def read(self, query: QueryDict) -> Query | None:
        names = self.form_class.base_fields
        given = {name: query.get(name) for name in names if query.get(name)}
        if not given:
            return Query("", True)
        form = self.form_class(given)
        if not form.is_valid():
            return None
        cleaned = {
            name: form.cleaned_data[name]
            for name in names
            if name in given and form.cleaned_data[name] not in (None, "")
        }
        storable = self.unshared.isdisjoint(cleaned)
        if storable:
            # A default (the first page; the form's DEFAULTS) is the page without it.
            defaults = getattr(self.form_class, "DEFAULTS", {})
            cleaned = {
                name: value for name, value in cleaned.items() if value != defaults.get(name, 1)
            }
        return Query(urlencode(sorted(cleaned.items())), storable)


class AllParams(Params):
    """The parameters of several parts of one page, each read by its own spec."""

    def __init__(self, *specs):
        self.specs = specs

    def read(self, query: QueryDict) -> Query | None:
        parts = [spec.read(query) for spec in self.specs]
        if None in parts:
            return None
        return Query(
            "&".join(part.canonical for part in parts if part.canonical),
            all(part.storable for part in parts),
        )


class PageForm(forms.Form):
    """The `page` parameter of a paginated list."""

    page = forms.IntegerField(min_value=1, max_value=10**6)


class APIParams(Params):
    """Parameters of a Django REST framework list or detail view: its pagination
    class's page and page size and its FilterSet's choice filters (storable),
    and its other filters and the cursor (not stored)."""

    def __init__(self, view_class):
        # Only a list is paginated; a detail view's answer has no page to pick.
        listing = hasattr(view_class, "list")
        self.pagination = pagination = (
            getattr(view_class, "pagination_class", None) if listing else None
        )
        filterset = getattr(view_class, "filterset_class", None)
        filters = filterset.base_filters if filterset else {}
        # A choice among a few values names a bounded set of answers.
        self.choices = {
            name: frozenset(str(value) for value, _ in spec.extra["choices"])
            for name, spec in filters.items()
            if isinstance(spec, django_filters.ChoiceFilter)
        }
        self.filters = frozenset(filters) - frozenset(self.choices)
        self.page_size_param = getattr(pagination, "page_size_query_param", None)
        self.page_param = getattr(pagination, "page_query_param", None)
        self.cursor_param = getattr(pagination, "cursor_query_param", None)

    def read(self, query: QueryDict) -> Query | None:
        unbounded = [
            (name, value)
            for name in sorted(self.filters | {self.cursor_param} - {None})
            for value in query.getlist(name)
            if value
        ]
        canonical = []
        for name, allowed in self.choices.items():
            if value := query.get(name):
                if value not in allowed or len(query.getlist(name)) > 1:
                    return None  # the FilterSet answers 400; nothing is kept
                canonical.append((name, value))
        if self.page_param and (page := query.get(self.page_param)):
            if not (page.isascii() and page.isdigit() and len(page) <= 7):
                return None  # "last" or junk: the paginator answers, nothing is kept
            if int(page) > 1:
                canonical.append((self.page_param, str(int(page))))
        if self.page_size_param and query.get(self.page_size_param):
            # Read as the paginator reads it: junk means the default, big means the maximum.
            paginator = self.pagination()
            size = paginator.get_page_size(SimpleNamespace(query_params=query))
            if size != paginator.page_size:
                canonical.append((self.page_size_param, str(size)))
        if unbounded:
            return Query(urlencode(sorted(canonical + unbounded)), False)
        return Query(urlencode(sorted(canonical)), True)
