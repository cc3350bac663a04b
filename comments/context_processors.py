from django.conf import settings
from django.urls import reverse
from django.utils.functional import SimpleLazyObject


def moderation(request):
    """For staff who moderate: how many replies wait, for the site's header.

    Only asked of a request with a session: pages without one are shared among
    readers, and reading the session would make them personal. The count is
    made only if the page shows it, and stops at the queue's cap.
    """
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return {}
    user = getattr(request, "user", None)
    if user is None or not user.is_staff or not user.has_perm("comments.change_comment"):
        return {}
    from .admin.queue import capped_count
    from .models import Comment

    return {
        "replies_waiting": SimpleLazyObject(lambda: capped_count(Comment.objects.pending())),
        "moderation_queue_url": reverse("admin:comments_comment_changelist") + "?status=pending",
    }
