from django import template
from django.urls import reverse

from comments.models import Comment, Revision

register = template.Library()


@register.inclusion_tag("admin/comments/pending_notice.html", takes_context=True)
def pending_comments_notice(context):
    """How many replies, and edits of published ones, wait for a moderator, for
    those who may moderate them."""
    request = context["request"]
    if not request.user.has_perm("comments.change_comment"):
        return {"show": False}
    queue = reverse("admin:comments_comment_changelist")
    return {
        "show": True,
        "count": Comment.objects.pending().count(),
        "queue_url": f"{queue}?status=pending",
        "edits": Revision.objects.filter(state=Revision.State.HELD).count(),
        "edits_url": f"{queue}?status=edits",
    }
