from django.db.models import BigIntegerField, ExpressionWrapper, F

from plumbing.api.pagination import MomentCursorPagination

# The orders of the public lists (`ordering=`): top-level and replies alike.
ORDERINGS = {
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    # Most recommended first, equal counts in the order they were posted. A
    # cursor's position is one number per comment (count and id together): with
    # equal counts as positions, DRF's cursors would page by offset, and stop
    # moving after 1,000 comments with the same count (most have none). A count
    # that changes while a client pages through may move its comment past the
    # cursor or back before it.
    "recommended": ("-recommended_rank",),
}
# Ids stay below this; counts below 2**23 keep the rank within 64 bits.
_ID_SPAN = 2**40


class CommentCursorPagination(MomentCursorPagination):
    """Oldest first, or in the order `ordering` names (the FilterSet checks it). A
    cursor over time stays valid while new comments arrive: nothing is skipped
    or seen twice, unlike page numbers."""

    ordering = ORDERINGS["oldest"]
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request, queryset, view):
        return ORDERINGS.get(request.query_params.get("ordering"), self.ordering)

    def paginate_queryset(self, queryset, request, view=None):
        if request.query_params.get("ordering") == "recommended":
            # A 64-bit number: read as an IntegerField, a position beyond PostgreSQL's
            # 32-bit range makes Django drop the cursor's condition as always true.
            rank = F("recommendations") * _ID_SPAN + (_ID_SPAN - 1 - F("id"))
            queryset = queryset.annotate(
                recommended_rank=ExpressionWrapper(rank, output_field=BigIntegerField())
            )
        return super().paginate_queryset(queryset, request, view)

    def is_position(self, position: str) -> bool:
        if self.ordering == ORDERINGS["recommended"]:
            return position.isascii() and position.isdigit() and len(position) <= 19
        return super().is_position(position)

    def _get_position_from_instance(self, instance, ordering):
        # Public lists carry created_at as ISO text under "created" (plumbing.db.IsoUtc);
        # the database compares it as a moment again.
        if isinstance(instance, dict) and ordering[0].lstrip("-") == "created_at":
            return instance["created"]
        return super()._get_position_from_instance(instance, ordering)


class QueueCursorPagination(MomentCursorPagination):
    """The moderation queue: newest first."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
