"""The discussion block of an article page: the thread and the reply form."""

from articles.models import Article
from newsroom.ids import parse_id

from . import cookies
from .forms import TIMESTAMP_PLACEHOLDER, ReplyForm, blank_form_html, fill_reader_values
from .rendering import render_thread
from .threads import load_thread


def discussion_context(
    request, article: Article, form: ReplyForm | None = None, *, shared: bool = False
) -> dict:
    """What the article page needs for its comments and its reply form.

    `shared`: for a page cached for every anonymous reader, whose form keeps the
    placeholders where each reader's CSRF token and signed timestamp will go.
    """
    thread = load_thread(
        article, own_ids=cookies.own_comment_ids(request), page_number=request.GET.get("cpage", 1)
    )
    comments_open = article.accepts_comments()
    replying_to = None
    form_html = None
    if comments_open:
        if form is None:
            initial = cookies.remembered_author(request)
            parent_id = parse_id(request.GET.get("replytocom", ""))
            if parent_id:
                replying_to = thread.approved.get(parent_id)
            if not initial and replying_to is None:
                # The form as every new reader sees it: made once, filled in here.
                form_html = blank_form_html(article)
                if not shared:
                    form_html = fill_reader_values(form_html, request, article.pk)
            else:
                initial["remember"] = bool(initial)
                if replying_to is not None:
                    initial["parent"] = replying_to.pk
                if shared:
                    initial["timestamp"] = TIMESTAMP_PLACEHOLDER
                form = ReplyForm(article=article, initial=initial)
        else:
            parent_id = parse_id(form.data.get("parent", ""))
            if parent_id:
                replying_to = thread.approved.get(parent_id)
    return {
        "thread": thread,
        "thread_html": render_thread(thread, comments_open=comments_open),
        "comment_form": form,
        "comment_form_html": form_html,
        "replying_to": replying_to,
        "comments_open": comments_open,
    }
