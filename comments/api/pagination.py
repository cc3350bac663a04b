from plumbing.api.pagination import MomentCursorPagination

# The orders of the public lists (`ordering=`): top-level and replies alike.
ORDERINGS = {
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    # Equal counts oldest first; a count that changes while a client pages
    # through may move its comment past the cursor or back before it.
    "recommended": ("-recommendations", "created_at", "id"),
}


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

    def is_position(self, position: str) -> bool:
        if self.ordering[0] == "-recommendations":
            return position.isascii() and position.isdigit() and len(position) <= 10
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
