import logging
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from articles.models import Article
from articles.views import render_article
from plumbing.http import client_ip
from plumbing.ids import parse_id
from plumbing.pagecache.messages import OWN_PAGE
from plumbing.ratelimit import limit_reads, wait_for

from . import cookies, notifications, services
from .discussion import DiscussionQuery
from .forms import PREVIEW, EditForm, ReplyForm, ReportForm
from .models import Comment, Subscriber, Subscription
from .names import signed_in_staff
from .sanitize import render_comment
from .threads import comment_anchor, link_to, page_of

logger = logging.getLogger(__name__)


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


def ask_for_mail(request, comment: Comment, fields: dict, *, staff=None) -> str | None:
    """After a reply was taken (whatever its status): the mail its author ticked,
    asked of comments.notifications. Returns the sentence to tell them, or None
    if they asked for none. The reply form and the API both come through here."""
    if fields.get("follow"):
        kind = Subscription.Kind.DISCUSSION
    elif fields.get("notify"):
        kind = Subscription.Kind.ANSWERS
    else:
        return None
    try:
        proven = notifications.ask(
            email=comment.author_email,
            article=comment.article,
            kind=kind,
            signed_in=cookies.signed_in_subscriber(request),
            # Counted by network as reports are: an IPv6 /48 is one client.
            client_key=services.network_key(client_ip(request), "confirmer"),
            proven=staff is not None,  # their address is their account's
        )
    except Exception:
        # The reply is saved whatever happens here; the failure is for operators.
        logger.exception(
            "Could not record the mail a reader asked for", extra={"comment_id": comment.pk}
        )
        proven = False
    return notifications.promised(kind) if proven else notifications.ASKED


def edit_from(request, comment, body: str, **evidence) -> services.EditOutcome:
    """services.edit_own with what the request says of its sender; the author's edit
    form and the API both come through here."""
    return services.edit_own(
        comment,
        body=body,
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
    own_ids = cookies.own_comment_ids(request) | {comment.pk}
    return comment.article.get_absolute_url() + link_to(
        comment.article, comment.pk, own_ids=own_ids
    )


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
    staff = signed_in_staff(request)
    form = ReplyForm(request.POST, article=article, staff=staff)
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
            staff=staff,
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
    mail = ask_for_mail(request, comment, data, staff=staff)
    if mail:
        messages.info(request, mail)
    response = HttpResponseRedirect(_comment_location(request, comment), status=303)
    cookies.add_own_comment(request, response, comment.pk)
    if staff is not None:
        return response  # their details are their account's
    if data["remember"]:
        cookies.remember_author(response, name=data["name"], email=data["email"], url=data["url"])
    else:
        cookies.forget_author(response)
    return response


# --- The author's own reply: edit or delete within COMMENTS_EDIT_MINUTES ---------

NOT_FROM_THIS_BROWSER = "A reply can be edited or deleted only from the browser it was sent from."


def _own_reply(request, article, pk) -> Comment:
    """The reply `pk` under `article`, if this browser sent it and may still change
    it; else services.NotYours or services.CannotChange, with the reason."""
    comment = Comment.objects.select_related("article").filter(article=article, pk=pk).first()
    return services.check_author(
        comment,
        proven=pk in cookies.own_comment_ids(request),
        not_yours=NOT_FROM_THIS_BROWSER,
    )


def _own_reply_page(request, template, context, *, status=200):
    response = render(request, template, context, status=status)
    # Never kept by anyone but this browser: it is about this reader's reply.
    response["Cache-Control"] = "private, no-store"
    return response


def _cannot_change(request, article, error: services.CommentError):
    """403 with the reason, and the text the reader sent, so that it is not lost."""
    return _own_reply_page(
        request,
        "comments/own_reply.html",
        {"article": article, "refusal": error.message, "unsent_text": request.POST.get("body")},
        status=error.status_code,
    )


def _edit_page(request, comment, form, *, status=200, preview=None):
    return _own_reply_page(
        request,
        "comments/own_reply.html",
        {
            "article": comment.article,
            "comment": comment,
            "action": "edit",
            "form": form,
            "deadline": comment.edit_deadline(),
            "held": services.held_edit(comment) if not form.is_bound else None,
            "preview": preview,
        },
        status=status,
    )


@limit_reads
@require_http_methods(["GET", "HEAD", "POST"])
def edit_reply(request, slug, pk):
    """The author's form to change their reply's text, within the edit window."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    try:
        comment = _own_reply(request, article, pk)
        if not article.accepts_comments():
            raise services.CommentsClosed()
    except services.CommentError as error:
        return _cannot_change(request, article, error)
    if request.method != "POST":
        held = services.held_edit(comment)
        form = EditForm(initial={"body": (held or comment).body}, comment=comment)
        return _edit_page(request, comment, form)

    form = EditForm(request.POST, comment=comment)
    preview = PREVIEW in request.POST
    wait = posting_wait(request, preview=preview)
    if wait:
        form.is_valid()
        form.add_error(None, f"You are sending changes faster than we allow. Please wait {wait} s.")
        response = _edit_page(request, comment, form, status=429)
        response["Retry-After"] = str(wait)
        return response
    if not form.is_valid():
        return _edit_page(request, comment, form, status=400)
    if preview:
        return _edit_page(request, comment, form, preview=render_comment(form.cleaned_data["body"]))
    try:
        outcome = edit_from(
            request,
            comment,
            form.cleaned_data["body"],
            earlier_comment_ids=cookies.own_comment_ids(request),
        )
    except (services.CannotChange, services.CommentsClosed) as error:
        # The window closed, a moderator acted, or the article closed meanwhile.
        return _cannot_change(request, article, error)
    except services.CommentError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _edit_page(request, comment, form, status=error.status_code)
    if outcome.published:
        messages.success(request, outcome.message)
    else:
        messages.info(request, outcome.message)
    return HttpResponseRedirect(_comment_location(request, comment), status=303)


@limit_reads
@require_http_methods(["GET", "HEAD", "POST"])
def delete_reply(request, slug, pk):
    """Ask, then delete the author's reply, within the edit window."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    try:
        comment = _own_reply(request, article, pk)
        if request.method == "POST":
            services.delete_own(comment)
    except services.CommentError as error:
        return _cannot_change(request, article, error)
    if request.method != "POST":
        return _own_reply_page(
            request,
            "comments/own_reply.html",
            {
                "article": article,
                "comment": comment,
                "action": "delete",
                "deadline": comment.edit_deadline(),
            },
        )
    messages.success(request, "Your reply is deleted.")
    return HttpResponseRedirect(f"{article.get_absolute_url()}#comments", status=303)


# --- Reports ---------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkBudget:
    """How often one client may do something, through the site's form and the API
    together (comments.api.views), counted by network as services.network_key
    counts: an IPv6 /48 is one client."""

    scope: str
    setting: str
    purpose: str  # the network_key it counts under

    def wait(self, request) -> int:
        """Count one more; the seconds to wait if it is one too many."""
        client = services.network_key(client_ip(request), self.purpose)
        return wait_for(request, self.scope, getattr(settings, self.setting), client=client)


REPORT_BUDGET = NetworkBudget("comment-report", "COMMENTS_REPORT_RATE", "reporter")
# Recommendations and take-backs alike.
RECOMMEND_BUDGET = NetworkBudget("comment-recommend", "COMMENTS_RECOMMEND_RATE", "recommender")


@limit_reads
@require_http_methods(["GET", "HEAD", "POST"])
def report_reply(request, slug, pk):
    """Report a published reply to the moderators: why, and a note."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    comment = Comment.objects.public().select_related("article").filter(article=article, pk=pk)
    comment = comment.first()
    if comment is None:
        return render(request, "comments/gone.html", {"article": article}, status=404)
    form = ReportForm(request.POST if request.method == "POST" else None, comment=comment)
    status = 200
    if request.method == "POST":
        wait = REPORT_BUDGET.wait(request)
        if wait:
            form.is_valid()
            form.add_error(None, f"You are sending reports faster than we allow. Wait {wait} s.")
            status = 429
        elif form.is_valid():
            try:
                thanks = services.report(
                    comment.pk,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                    ip_address=client_ip(request),
                    reported_before=cookies.REPORTED.read(request),
                )
            except services.NotReportable:  # held or removed meanwhile
                return render(request, "comments/gone.html", {"article": article}, status=404)
            messages.success(request, thanks)
            response = HttpResponseRedirect(
                f"{article.get_absolute_url()}#comment-{comment.pk}", status=303
            )
            cookies.REPORTED.add(request, response, comment.pk)
            return response
        else:
            status = 400
    response = render(
        request,
        "comments/report.html",
        {"article": article, "comment": comment, "form": form},
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Recommendations ---------------------------------------------------------------


def recommend_from(request, pk: int, *, wanted: bool | None = None, slug: str | None = None):
    """services.recommend for this browser (its reader key, kept or new) and
    address; returns the outcome and the key to keep. The button and the API
    both come through here."""
    key = cookies.reader_key(request)
    outcome = services.recommend(
        pk,
        browser=key,
        ip_address=client_ip(request),
        wanted=wanted,
        own_ids=cookies.own_comment_ids(request),
        article_slug=slug,
    )
    return outcome, key


@require_POST
def recommend_reply(request, slug):
    """The Recommend buttons (one form per page; `comment` names the reply):
    recommends a published reply, or takes the recommendation back.

    Answers with the reader back at the reply, in the order they pressed it
    from and on the page where it is now, with a message saying what happened.
    """
    article = get_object_or_404(Article.objects.published(), slug=slug)
    pk = parse_id(request.POST.get("comment", ""))
    if pk is None:
        return render(request, "comments/gone.html", {"article": article}, status=404)
    wait = RECOMMEND_BUDGET.wait(request)
    key = None
    if wait:
        messages.error(request, f"You are recommending faster than we allow. Wait {wait} s.")
    else:
        try:
            outcome, key = recommend_from(request, pk, slug=slug)
        except services.NotReportable:  # not public, or not under this article
            return render(request, "comments/gone.html", {"article": article}, status=404)
        except services.CommentError as refused:
            messages.error(request, refused.message)
        else:
            # The count they changed may show late in the page kept for everyone.
            messages.success(request, outcome.message, extra_tags=OWN_PAGE)
            if not outcome.recommended:
                key = None  # nothing of this browser's to remember
    here = link_to(
        article, pk, own_ids=cookies.own_comment_ids(request), sort=DiscussionQuery.sort_of(request)
    )
    back = HttpResponseRedirect(f"{article.get_absolute_url()}{here}", status=303)
    if key is not None:
        cookies.keep_reader_key(back, key)
    return back


@limit_reads
@require_http_methods(["GET", "HEAD"])
def privacy(request):
    """What the site keeps of a commenter, for how long and who sees it, from the
    settings in force."""
    contact = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return render(
        request,
        "comments/privacy.html",
        {
            "retention_days": max(settings.COMMENTS_IP_RETENTION_DAYS, 0),
            "keep_network": settings.COMMENTS_KEEP_NETWORK,
            "edit_minutes": settings.COMMENTS_EDIT_MINUTES,
            "remember_cookie": cookies.REMEMBER_COOKIE,
            "own_cookie": cookies.OWN_COOKIE,
            "own_days": cookies.OWN_MAX_AGE // (24 * 60 * 60),
            "reported_cookie": cookies.REPORTED.name,
            "reader_cookie": cookies.READER_COOKIE,
            "signed_in_cookie": cookies.SIGNED_IN_COOKIE,
            "contact": contact,
            "link_hours": settings.COMMENTS_DATA_LINK_HOURS,
        },
    )


@limit_reads
def permalink(request, slug, pk):
    """A stable link to one comment: sends the reader to the page it is on."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    page = page_of(article, pk, own_ids=cookies.own_comment_ids(request))
    if page is None:
        return render(request, "comments/gone.html", {"article": article}, status=404)
    return redirect(f"{article.get_absolute_url()}{comment_anchor(pk, page)}")


@csrf_exempt  # mail clients send the one-click POST (RFC 8058); the signed token is the proof
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """The link in every notification. GET asks; POST stops the mail about that
    discussion (what a mail client's one-click POST does), or with `everything`
    all mail to the address."""
    found = notifications.stopping(token)
    if found is None:
        return _private(render(request, "comments/unsubscribe.html", {"invalid": True}, status=400))
    context = {"article": found.article, "token": token}
    if request.method == "POST":
        everything = bool(request.POST.get("everything"))
        notifications.stop(found, everything=everything)
        context.update(done=True, everything=everything)
    return _private(render(request, "comments/unsubscribe.html", context))


def _private(response):
    # About one address's mail: never kept by anyone but this browser.
    response["Cache-Control"] = "private, no-store"
    return response


@limit_reads
@require_http_methods(["GET", "HEAD", "POST"])
def confirm_notifications(request, token):
    """The link a confirmation mail carries. GET only asks, since mail scanners
    open links; the POST confirms, and may keep this browser signed in as the
    address (comments.cookies.sign_in)."""
    found = notifications.confirmation(token)
    if found is None:
        return _private(render(request, "comments/confirm.html", {"invalid": True}, status=400))
    subscription, kind = found
    context = {
        "article": subscription.article,
        "kind": kind,
        "pace": notifications.digest_pace(),
        "token": token,
    }
    if request.method != "POST":
        return _private(render(request, "comments/confirm.html", context))
    notifications.confirm(subscription, kind)
    keep = bool(request.POST.get("keep"))
    response = render(request, "comments/confirm.html", {**context, "done": True, "keep": keep})
    if keep:
        cookies.sign_in(response, subscription.subscriber)
    return _private(response)


@limit_reads
@require_http_methods(["GET", "HEAD", "POST"])
def notifications_page(request):
    """What mail a signed-in browser's address gets, and the buttons to change it;
    without the cookie, how to sign in."""
    subscriber = cookies.signed_in_subscriber(request)
    if request.method == "POST":
        return _change_notifications(request, subscriber)
    subscriptions = []
    if subscriber is not None:
        subscriptions = list(subscriber.subscriptions.select_related("article"))
    context = {
        "subscriber": subscriber,
        "subscriptions": subscriptions,
        "pace": notifications.digest_pace(),
    }
    return _private(render(request, "comments/notifications.html", context))


def _change_notifications(request, subscriber: Subscriber | None):
    """One button of the notifications page; back to it with what happened."""
    back = HttpResponseRedirect(reverse("comments:notifications"), status=303)
    if subscriber is None:
        messages.error(request, "This browser is not signed in, so nothing changed.")
        return back
    action = request.POST.get("action", "")
    article_id = parse_id(request.POST.get("article", ""))
    if action == "stop" and article_id:
        if notifications.stop_following(subscriber, article_id):
            messages.success(request, "You no longer follow that discussion.")
    elif action in Subscription.Kind.values and article_id:
        # Switching what one gets: "answers" or "discussion".
        if notifications.set_kind(subscriber, article_id, action):
            messages.success(request, "Changed.")
    elif action == "confirm" and article_id:
        subscription = subscriber.subscriptions.filter(article_id=article_id).first()
        if subscription is not None:
            notifications.confirm(subscription)
            messages.success(request, "Confirmed.")
    elif action == "stop-all":
        notifications.stop_all(subscriber)
        messages.success(request, "No more mail goes to your address.")
    elif action == "allow":
        notifications.allow_again(Subscriber.objects.filter(pk=subscriber.pk))
        messages.success(request, "Mail to your address goes again.")
    elif action == "sign-out":
        cookies.sign_out(back)
        messages.success(request, "This browser is signed out.")
    elif action == "sign-out-everywhere":
        notifications.sign_out_everywhere(subscriber)
        cookies.sign_out(back)
        messages.success(request, "Every browser signed in as your address is signed out.")
    return back
