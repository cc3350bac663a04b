from django.core.exceptions import ValidationError as BadValue
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from .filters import MomentField


class MomentCursorPagination(CursorPagination):
    """Cursor pagination over a list ordered by a moment first.

    A cursor is the client's to keep, and so the client's to alter: one that
    does not decode, or whose position is not a moment the database can
    compare with, is a 400 naming `cursor`, like any other bad parameter.
    """

    invalid_cursor_message = "This cursor is not one the API gave out. Start from the first page."

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
            valid = False
        else:
            valid = cursor is None or cursor.position is None or self.is_position(cursor.position)
        if not valid:
            raise ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return cursor

    def is_position(self, position: str) -> bool:
        """Whether `position` is one the first ordering field can be compared with."""
        return self._is_moment(position)

    @staticmethod
    def _is_moment(position: str) -> bool:
        try:
            return MomentField(required=True).clean(position) is not None
        except BadValue:
            return False
