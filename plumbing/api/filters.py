from datetime import UTC, timedelta

import django_filters
from django.core.exceptions import ValidationError
from django_filters.rest_framework import DjangoFilterBackend


class MomentField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment that every database can compare with.

    Python accepts offsets of up to a day and moments that leave the calendar
    when turned into UTC; PostgreSQL does not (issue found by schemathesis).
    """

    MAX_OFFSET = timedelta(hours=14)  # the widest offset any place on Earth uses
    default_error_messages = {
        "out_of_range": "Enter a moment between the years 1 and 9999 (UTC), "
        "with a time zone offset of at most 14 hours."
    }

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        try:
            if offset is not None and abs(offset) > self.MAX_OFFSET:
                raise OverflowError
            moment.astimezone(UTC)
        except OverflowError:
            raise ValidationError(
                self.error_messages["out_of_range"], code="out_of_range"
            ) from None
        return moment


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the query string names no filter.

    Binding and validating a FilterSet costs as much as the query on a plain
    "first page" request, the most common one. A parameter that does name a
    filter (even with a bad value, which still gets its 400) goes through it.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = tuple(filterset_class.base_filters)
        if not any(param.startswith(names) for param in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)
