from django import template

from comments.discussion import discussion_context

register = template.Library()


@register.inclusion_tag("comments/_discussion.html", takes_context=True)
def render_discussion(context, article):
    """The thread and the reply form under `article`.

    A page that shows the form again after a failed post puts the bound form in
    its context as `comment_form` (or `unsent_text` when comments closed).
    """
    return discussion_context(
        context["request"],
        article,
        form=context.get("comment_form"),
        unsent_text=context.get("unsent_text"),
        preview=context.get("comment_preview"),
    )
