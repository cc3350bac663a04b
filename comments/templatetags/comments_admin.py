from django import template
from django.urls import reverse

from comments.models import Comment

register = template.Library()


@register.inclusion_tag("admin/comments/pending_notice.html", takes_context=True)
def pending_comments_notice(context):
    """How many replies wait for a moderator, for those who may moderate them."""
    request = context["request"]
    if not request.user.has_perm("comments.change_comment"):
        return {"show": False}
    return {
        "show": True,
        "count": Comment.objects.pending().count(),
        "queue_url": reverse("admin:comments_comment_changelist") + "?status=pending",
    }
