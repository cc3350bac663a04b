"""The discussion under an article: its thread and reply form, as a block any page
draws with `{% render_discussion article %}` (templatetags/discussion.py)."""

from django import forms
from django.core.paginator import InvalidPage
from django.http import Http404
from django.utils.safestring import mark_safe

from articles.models import Article
from plumbing.ids import parse_id
from plumbing.pagecache.personal import csrf_token, is_shared_render, shows

from . import cookies
from .forms import ReplyForm, blank_form_html
from .names import signed_in_staff
from .rendering import render_thread
from .services import CommentsClosed
from .threads import Sort, load_thread


class DiscussionQuery(forms.Form):
    """The discussion's parameters in the page's address."""

    cpage = forms.IntegerField(min_value=1, max_value=10**6, required=False)
    # A reply link (?replytocom=<id>#respond) opens the form on that comment; an
    # id that is not a visible comment is ignored.
    replytocom = forms.CharField(required=False)
    sort = forms.ChoiceField(choices=Sort.CHOICES, required=False)

    # Reply links open a form of their own: such a page is never shared.
    UNSHARED = frozenset({"replytocom"})
    DEFAULTS = {"cpage": 1, "sort": Sort.DEFAULT}

    @classmethod
    def read(cls, request) -> dict:
        """The parameters `request` asks for; InvalidPage if one is not valid."""
        if not request.GET:  # most readers send none: no form to check
            return {"cpage": None, "replytocom": "", "sort": ""}
        query = cls(request.GET)
        if not query.is_valid():
            raise InvalidPage
        return query.cleaned_data

    @classmethod
    def sort_of(cls, request) -> str:
        """The order `request` asks for (the default if none, or an invalid one)."""
        try:
            return cls.read(request)["sort"] or Sort.DEFAULT
        except InvalidPage:
            return Sort.DEFAULT


def discussion_context(
    request,
    article: Article,
    form: ReplyForm | None = None,
    unsent_text: str | None = None,
    preview: str | None = None,
) -> dict:
    """What the discussion block shows: the thread's page, the reply form (or why
    there is none), and a bound `form` or `unsent_text` given back after a failed post."""
    shared = is_shared_render(request)
    try:
        asked = DiscussionQuery.read(request)
        # The reply being answered, whose author the form names.
        parent_id = parse_id(form.data.get("parent", "") if form else asked["replytocom"])
        thread = load_thread(
            article,
            # A page kept for every reader shows nobody's own replies as theirs: the
            # copy marks where its author sees one otherwise (rendering.OWN_REPLY).
            own_ids=frozenset() if shared else cookies.own_comment_ids(request),
            page_number=asked["cpage"] or 1,
            sort=asked["sort"] or Sort.DEFAULT,
            also=[parent_id] if parent_id else [],
        )
    except InvalidPage:
        # Never a copy for a page that does not exist (plumbing.pagecache keeps 200s).
        raise Http404("No such page of comments.") from None
    comments_open = article.accepts_comments()
    replying_to = thread.published(parent_id) if comments_open else None
    form_html = None
    if comments_open and form is None:
        staff = signed_in_staff(request)
        if staff is not None:
            form = ReplyForm(
                article=article,
                staff=staff,
                initial={"parent": replying_to.pk} if replying_to else {},
            )
        elif replying_to is None:
            # The form as every reader sees it: made once, filled in for each.
            form_html = blank_form_html(request, article)
        else:
            initial = cookies.remembered_author(request)
            initial.update(remember=bool(initial), parent=replying_to.pk)
            form = ReplyForm(article=article, initial=initial)
    # Where a browser's own replies held for moderation would change the page
    # (comments.cookies.own_replies_matter).
    shows(request, f"discussion:{article.pk}")
    address = article.get_absolute_url()
    return {
        "article": article,
        "thread": thread,
        # Links to the first page in each order, and whether it is this one.
        "sorts": [
            (label, f"{address}{thread.query(1, sort=value)}#comments", value == thread.sort)
            for value, label in Sort.CHOICES
        ],
        # Each page of the discussion, and whether it is this one.
        "page_links": [
            (number, f"{address}{query}#comments", number == thread.page.number)
            for number, query in thread.page_links
        ]
        if thread.is_paginated
        else [],
        # Each editors' pick, and where it is in the thread.
        "picks": [(pick, f"{address}{thread.link_to(pick.pk)}") for pick in thread.picks],
        "thread_html": render_thread(
            thread,
            comments_open=comments_open,
            article_slug=article.slug,
            # The Recommend buttons' forms: only while the discussion is open.
            csrf=csrf_token(request) if comments_open and thread.entries else "",
            shared=shared,
        ),
        "comment_form": form,
        "comment_form_html": form_html,
        "replying_to": replying_to,
        "comments_open": comments_open,
        "closed_message": CommentsClosed.MESSAGE,
        "unsent_text": unsent_text,
        # The sanitizer's output for the form's text, before it is sent.
        "comment_preview": mark_safe(preview) if preview is not None else None,  # noqa: S308
    }
