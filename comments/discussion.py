"""The discussion block of an article page: the thread and the reply form."""

from articles.models import Article
from newsroom.ids import parse_id
from newsroom.pagecache import FORM_TIMESTAMP_PLACEHOLDER_NAME, placeholder

from . import cookies
from .forms import ReplyForm
from .threads import load_thread


def discussion_context(
    request, article: Article, form: ReplyForm | None = None, *, shared: bool = False
) -> dict:
    """What the article page needs for its comments and its reply form.

    `shared`: for a page cached for every anonymous reader, whose form gets a
    placeholder where each reader's signed timestamp will go.
    """
    thread = load_thread(
        article, own_ids=cookies.own_comment_ids(request), page_number=request.GET.get("cpage", 1)
    )
    comments_open = article.accepts_comments()
    replying_to = None
    if comments_open:
        if form is None:
            initial = cookies.remembered_author(request)
            initial["remember"] = bool(initial)
            parent_id = parse_id(request.GET.get("replytocom", ""))
            if parent_id:
                replying_to = thread.approved.get(parent_id)
            if replying_to is not None:
                initial["parent"] = replying_to.pk
            if shared:
                initial["timestamp"] = placeholder(FORM_TIMESTAMP_PLACEHOLDER_NAME)
            form = ReplyForm(article=article, initial=initial)
        else:
            parent_id = parse_id(form.data.get("parent", ""))
            if parent_id:
                replying_to = thread.approved.get(parent_id)
    return {
        "thread": thread,
        "comment_form": form,
        "replying_to": replying_to,
        "comments_open": comments_open,
    }
