from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from articles.models import Article
from articles.views import render_article
from plumbing.http import client_ip
from plumbing.ratelimit import limit_reads, wait_for

from . import cookies, services
from .forms import PREVIEW, ReplyForm
from .models import Comment
from .sanitize import render_comment
from .tasks import UNSUBSCRIBE_MAX_AGE, UNSUBSCRIBE_SALT
from .threads import load_thread


def submit_reply(request, article, fields: dict, **evidence) -> Comment:
    """services.submit_comment with the checked fields and what the request says of
    its sender; the reply form and the API both come through here."""
    return services.submit_comment(
        article=article,
        name=fields["name"],
        email=fields["email"],
        url=fields.get("url") or "",
        body=fields["body"],
        parent_id=fields.get("parent"),
        notify=fields.get("notify", False),
        ip_address=client_ip(request),
        user_agent=request.headers.get("user-agent", ""),
        **evidence,
    )


# How often one client may send replies, through the form and the API alike:
# the API's throttles count under the same names (comments.api.views).
POSTING_LIMITS = (
    ("comment-burst", "COMMENTS_API_BURST_RATE"),
    ("comment-post", "COMMENTS_API_POST_RATE"),
)


# Previews are limited at the same rates, in a budget of their own.
PREVIEW_SCOPE = "comment-preview"


def posting_wait(request, *, preview: bool = False) -> int:
    """Count a reply (or a preview) sent through the form; the seconds to wait if
    it is one too many."""
    return max(
        wait_for(request, PREVIEW_SCOPE if preview else scope, getattr(settings, rate))
        for scope, rate in POSTING_LIMITS
    )


def _page_again(request, article, form, status):
    """The article page with the reader's form, their text and what to fix."""
    form.renew_timestamp()
    return render_article(request, article, status=status, comment_form=form)


def _too_fast(request, article, form, wait: int):
    """429: the page again, with the reader's text and how long to wait."""
    form.is_valid()  # what else needs fixing shows as well
    form.add_error(
        None,
        f"You are sending replies faster than we allow. Please wait {wait} s, "
        "then send yours again: your text is still below.",
    )
    response = _page_again(request, article, form, status=429)
    response["Retry-After"] = str(wait)
    return response


def _preview(request, article, form):
    """The reply as it would be published, above the form with the reader's text:
    nothing is saved and no rule runs (no flood count, no duplicate record)."""
    wait = posting_wait(request, preview=True)
    if wait:
        return _too_fast(request, article, form, wait)
    if not form.is_valid():
        return _page_again(request, article, form, status=400)
    form.renew_timestamp()
    return render_article(
        request,
        article,
        comment_form=form,
        comment_preview=render_comment(form.cleaned_data["body"]),
    )


def _comment_location(request, comment: Comment) -> str:
    thread = load_thread(comment.article, own_ids=cookies.own_comment_ids(request) | {comment.pk})
    page = thread.page_of.get(comment.pk, 1)
    query = f"?cpage={page}" if page > 1 else ""
    return f"{comment.article.get_absolute_url()}{query}#comment-{comment.pk}"


@require_http_methods(["GET", "HEAD", "POST"])
def post_comment(request, slug):
    """The reply form's target: 303 to the new comment, or the page again with errors."""
    article = get_object_or_404(Article.objects.published().for_listing(), slug=slug)
    if request.method != "POST":
        return redirect(f"{article.get_absolute_url()}#respond")

    if not article.accepts_comments():
        # Checked before the input: a closed article is the answer whatever was sent.
        return render_article(
            request, article, status=403, unsent_text=request.POST.get("body", "")
        )
    form = ReplyForm(request.POST, article=article)
    if PREVIEW in request.POST:
        return _preview(request, article, form)
    wait = posting_wait(request)
    if wait:
        return _too_fast(request, article, form, wait)
    if not form.is_valid():
        return _page_again(request, article, form, status=400)

    data = form.cleaned_data
    try:
        comment = submit_reply(
            request,
            article,
            data,
            form=form.evidence(),
            earlier_comment_ids=cookies.own_comment_ids(request),
        )
    except services.CommentsClosed:  # closed while this request was on its way
        return render_article(request, article, status=403, unsent_text=data["body"])
    except services.CommentError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _page_again(request, article, form, status=error.status_code)

    own_pending = comment.status != Comment.Status.APPROVED
    if own_pending:
        messages.info(
            request,
            "Thank you. Your reply is awaiting moderation and will appear once a moderator "
            "has approved it.",
        )
    else:
        messages.success(request, "Thank you. Your reply is published.")
    response = HttpResponseRedirect(_comment_location(request, comment), status=303)
    cookies.add_own_comment(request, response, comment.pk)
    if data["remember"]:
        cookies.remember_author(response, name=data["name"], email=data["email"], url=data["url"])
    else:
        cookies.forget_author(response)
    return response


@limit_reads
def permalink(request, slug, pk):
    """A stable link to one comment: sends the reader to the page it is on."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    thread = load_thread(article, own_ids=cookies.own_comment_ids(request))
    page = thread.page_of.get(pk)
    if page is None:
        return render(request, "comments/gone.html", {"article": article}, status=404)
    query = f"?cpage={page}" if page > 1 else ""
    return redirect(f"{article.get_absolute_url()}{query}#comment-{pk}")


@csrf_exempt  # mail clients send the one-click POST (RFC 8058); the signed token is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET asks for confirmation; POST stops reply notifications to that address."""
    try:
        comment_id = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.BadSignature:
        comment_id = None
    comment = Comment.objects.filter(pk=comment_id).only("author_email").first()
    if comment is None:
        return render(request, "comments/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.unsubscribe(comment.author_email)
        return render(request, "comments/unsubscribe.html", {"done": True})
    return render(request, "comments/unsubscribe.html", {"token": token})
