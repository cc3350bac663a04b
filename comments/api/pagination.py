from plumbing.api.pagination import MomentCursorPagination


class CommentCursorPagination(MomentCursorPagination):
    """Oldest first. A cursor stays valid while new comments arrive: nothing is
    skipped or seen twice, unlike page numbers."""

    ordering = ("created_at", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def _get_position_from_instance(self, instance, ordering):
        # Public lists carry created_at as ISO text under "created" (plumbing.db.IsoUtc);
        # the database compares it as a moment again.
        if isinstance(instance, dict) and "created" in instance:
            return instance["created"]
        return super()._get_position_from_instance(instance, ordering)


class QueueCursorPagination(MomentCursorPagination):
    """The moderation queue: newest first."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
