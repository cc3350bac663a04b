"""Mail to commenters who asked for it, and only once they proved the address is
theirs (issue 15: the site must not be a way to mail strangers).

Ticking "notify me" (or "follow") makes a Subscription for the article, and
sends the address one confirmation with a signed link; nothing else goes to
it until the link is opened and its page's button pressed. A browser signed
in as the address (its cookie, comments.cookies) or a member of staff
replying under their account's address need no link: they proved it already.

Strangers learn nothing of an address from any of it: the reader is told the
same sentence whatever its state, the confirmation mail says the same to every
address, and both throttles (per address, per client) drop mail silently.
Once an address unsubscribed from everything or bounced, nothing goes to it,
not even a confirmation, until its owner asks again from a signed-in browser
or an editor allows mail again.

Answers to one's own replies go one by one (tasks.notify_reply); every new
reply of a followed discussion goes in digests, at most one per
COMMENTS_DIGEST_MINUTES (tasks.send_digests, manage.py send_digests).
Links carry signed ids, never the address: links end up in logs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.crypto import salted_hmac

from articles.models import Article
from plumbing import counters
from plumbing.db import after_commit

from . import services, tasks
from .models import Comment, Subscriber, Subscription, normalized_email

Kind = Subscription.Kind

CONFIRM_SALT = "comments.notifications.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60
STOP_SALT = "comments.notifications.stop"
STOP_MAX_AGE = 365 * 24 * 60 * 60

# A digest lists at most this many replies, then says how many more there are.
DIGEST_LIMIT = 50

# What the reader is told after asking for mail without proving the address is
# theirs: the same words whatever the address's state, so they tell nothing.
ASKED = (
    "If this address has not confirmed these e-mails yet, we have sent it a link to "
    "confirm; nothing else is mailed to it until the link is opened."
)


def new_key() -> str:
    return secrets.token_urlsafe(24)  # 32 characters


def wider(kind: str, other: str) -> str:
    """Of two kinds, the one that sends more: a discussion includes the answers."""
    return Kind.DISCUSSION if Kind.DISCUSSION in (kind, other) else Kind.ANSWERS


def promised(kind: str) -> str:
    """What a proven owner is told they will get."""
    if kind == Kind.DISCUSSION:
        return (
            f"You will be e-mailed the new replies to this discussion, {digest_pace()}. "
            "You can change this on your notifications page."
        )
    return (
        "You will be e-mailed when someone answers your replies here. "
        "You can change this on your notifications page."
    )


def digest_pace() -> str:
    minutes = max(settings.COMMENTS_DIGEST_MINUTES, 0)
    if minutes == 0:
        return "as they are published"
    return f"at most one mail every {minutes} minute{'s' if minutes != 1 else ''}"


def ask(
    *,
    email: str,
    article: Article,
    kind: str,
    signed_in: Subscriber | None = None,
    client_key: str = "",
    proven: bool = False,
) -> bool:
    """Someone who just replied under `email` asks for mail about `article`.

    Makes the address's Subscriber and its Subscription to the article (or
    widens its kind; never narrows it). When the request proves the address is
    the sender's (`signed_in` is that address's verified Subscriber, or
    `proven`: a member of staff under their account's address), the
    subscription is confirmed at once, and mail stopped for the address flows
    again: its owner asks. Otherwise a confirmation is mailed, unless the
    subscription is confirmed already for this kind, the address stopped all
    mail or bounced, or a throttle is spent (COMMENTS_CONFIRM_RATE per address,
    COMMENTS_CONFIRM_CLIENT_RATE per `client_key`).

    Returns True only when the request proved the address (the reader may be
    told what they will get); False, whatever happened, otherwise.
    """
    address = normalized_email(email)
    if not address:
        return False
    now = timezone.now()
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(email=address, defaults={"key": new_key()})
        subscription, _ = Subscription.objects.get_or_create(
            subscriber=subscriber, article=article, defaults={"kind": kind}
        )
        owner = proven or (
            signed_in is not None
            and signed_in.pk == subscriber.pk
            and signed_in.key == subscriber.key
            and subscriber.verified_at is not None
        )
        if owner:
            _confirm(subscriber, subscription, kind, now)
            return True
        wanted = wider(subscription.kind, kind)
        if subscription.confirmed_at is None and wanted != subscription.kind:
            # Nothing goes out for it yet: the wider wish simply replaces the narrower.
            _set_kind(subscription, wanted, now)
            subscription.save(update_fields=["kind", "sent_through"])
        if subscriber.stopped_at is not None:
            return False
        if subscription.confirmed_at is not None and wanted == subscription.kind:
            return False  # nothing new to confirm
        if _throttled(address, client_key):
            return False
        if subscriber.verified_at is None:
            # Unconfirmed addresses are forgotten a link's life after they last
            # asked (comments.privacy.forget_expired_links): this link must work.
            Subscriber.objects.filter(pk=subscriber.pk).update(created_at=now)
        after_commit(tasks.send_confirmation.enqueue, subscription.pk, wanted)
    return False


def _throttled(address: str, client_key: str) -> bool:
    """Count one more confirmation for this client, then for this address; True
    if either is over its rate (then nothing is sent). The address counts under
    a keyed digest: the shared cache never holds it."""
    budgets = []
    if client_key:
        budgets.append((f"confirm-client:{client_key}", settings.COMMENTS_CONFIRM_CLIENT_RATE))
    digest = salted_hmac("comments.confirm-address", address).hexdigest()[:32]
    budgets.append((f"confirm-address:{digest}", settings.COMMENTS_CONFIRM_RATE))
    for name, rate in budgets:
        if not rate:
            continue
        allowed, seconds = counters.parse_rate(rate)
        if counters.hit(name, seconds).count > allowed:
            return True  # the next budget is not spent on a mail that will not go
    return False


def _set_kind(subscription: Subscription, kind: str, now: datetime) -> None:
    if kind == Kind.DISCUSSION and subscription.kind != Kind.DISCUSSION:
        # Digests start from now, not from the first answer's confirmation.
        subscription.sent_through = now
    subscription.kind = kind


def _confirm(subscriber: Subscriber, subscription: Subscription, kind: str, now: datetime):
    changed = []
    if subscriber.verified_at is None:
        subscriber.verified_at = now
        changed.append("verified_at")
    resumed = subscriber.stopped_at is not None
    if resumed:
        _resume(subscriber)
        changed += ["stopped_at", "stopped_because"]
    if changed:
        subscriber.save(update_fields=changed)
    _set_kind(subscription, wider(subscription.kind, kind), now)
    if resumed and subscription.kind == Kind.DISCUSSION:
        subscription.sent_through = now  # as _resume did for the address's others
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now
    subscription.save(update_fields=["kind", "sent_through", "confirmed_at"])


def _resume(subscriber: Subscriber) -> None:
    subscriber.stopped_at, subscriber.stopped_because = None, ""
    # What was published while mail was stopped is not sent in one go.
    subscriber.subscriptions.filter(kind=Kind.DISCUSSION).update(sent_through=timezone.now())


def confirm(subscription: Subscription, kind: str | None = None) -> None:
    """The address's owner opened the confirmation and said yes: the address is
    verified, the subscription confirmed (widened to `kind`, the kind the link
    was mailed for), and mail to the address flows again if it had stopped."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscription.subscriber_id)
        current = Subscription.objects.select_for_update().get(pk=subscription.pk)
        _confirm(subscriber, current, kind or current.kind, timezone.now())
    subscription.kind, subscription.confirmed_at = current.kind, current.confirmed_at
    subscription.subscriber = subscriber


# --- Links ---------------------------------------------------------------------------


def confirm_token(subscription: Subscription, kind: str) -> str:
    return signing.dumps([subscription.pk, kind], salt=CONFIRM_SALT)


def confirmation(token: str) -> tuple[Subscription, str] | None:
    """The subscription and kind a confirmation link was mailed for; None if the
    link is forged, over CONFIRM_MAX_AGE old, or its subscription is gone."""
    try:
        pk, kind = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(pk, int) or kind not in Kind.values:
        return None
    subscription = (
        Subscription.objects.select_related("subscriber", "article").filter(pk=pk).first()
    )
    return None if subscription is None else (subscription, kind)


def stop_token(subscription: Subscription) -> str:
    # The address and the discussion, not the row: the link still stops all mail
    # once the subscription itself is gone (a second click, the other button).
    return signing.dumps([subscription.subscriber_id, subscription.article_id], salt=STOP_SALT)


@dataclass(frozen=True)
class Stop:
    """What an unsubscribe link stops: one address's mail about one discussion."""

    subscriber: Subscriber | None  # None: an old link's address that never subscribed
    article: Article
    # Replies whose notify_on_reply the link clears too (links mailed before
    # subscriptions existed named a comment; its author's replies there).
    email: str = ""


def stopping(token: str) -> Stop | None:
    """What an unsubscribe link is for; None if it is forged, expired, or the
    address is no longer known. Links named a comment before subscriptions
    existed (tasks.UNSUBSCRIBE_SALT): they keep working, for its author."""
    try:
        subscriber_id, article_id = signing.loads(token, salt=STOP_SALT, max_age=STOP_MAX_AGE)
    except (signing.BadSignature, TypeError, ValueError):
        return _stopping_by_comment(token)
    if not isinstance(subscriber_id, int) or not isinstance(article_id, int):
        return None
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    article = Article.objects.filter(pk=article_id).first()
    if subscriber is None or article is None:
        return None
    return Stop(subscriber, article)


def _stopping_by_comment(token: str) -> Stop | None:
    try:
        comment_id = signing.loads(
            token, salt=tasks.UNSUBSCRIBE_SALT, max_age=tasks.UNSUBSCRIBE_MAX_AGE
        )
    except signing.BadSignature:
        return None
    comment = (
        Comment.objects.select_related("article")
        .filter(pk=comment_id)
        .only("author_email", "article")
        .first()
    )
    if comment is None or not comment.author_email:
        return None
    subscriber = Subscriber.objects.filter(email=normalized_email(comment.author_email)).first()
    return Stop(subscriber, comment.article, email=comment.author_email)


def stop(found: Stop, *, everything: bool = False) -> None:
    """An unsubscribe link was used: no more mail about that discussion to that
    address, or (`everything`) no more mail to it at all."""
    with transaction.atomic():
        subscriber = found.subscriber
        if found.email:
            # The old link stopped answers to its author; the subscription does that now.
            services.unsubscribe(found.email)
            if subscriber is not None:
                subscriber.subscriptions.filter(article=found.article, kind=Kind.ANSWERS).delete()
            elif everything:
                address = normalized_email(found.email)
                subscriber, _ = Subscriber.objects.get_or_create(
                    email=address, defaults={"key": new_key()}
                )
        else:
            stop_following(subscriber, found.article.pk)
        if everything:
            stop_all(subscriber)


def stop_following(subscriber: Subscriber, article_id: int) -> bool:
    """No more mail to `subscriber` about that discussion; False if there was none."""
    deleted, _ = Subscription.objects.filter(subscriber=subscriber, article_id=article_id).delete()
    return bool(deleted)


def stop_all(subscriber: Subscriber) -> None:
    """No more mail of any kind to the address, confirmations included, until its
    owner asks again from a signed-in browser."""
    Subscriber.objects.filter(pk=subscriber.pk).update(
        stopped_at=timezone.now(), stopped_because=Subscriber.Stop.UNSUBSCRIBED
    )


def set_kind(subscriber: Subscriber, article_id: int, kind: str) -> bool:
    """The owner (a signed-in browser) switches what they get about a discussion,
    either way; False if they do not follow it."""
    subscription = Subscription.objects.filter(subscriber=subscriber, article_id=article_id).first()
    if subscription is None or kind not in Kind.values:
        return False
    _set_kind(subscription, kind, timezone.now())
    subscription.save(update_fields=["kind", "sent_through"])
    return True


def allow_again(subscribers) -> int:
    """An editor (or the owner) lets mail go to stopped addresses again; returns how many."""
    count = 0
    for subscriber in subscribers.filter(stopped_at__isnull=False):
        _resume(subscriber)
        subscriber.save(update_fields=["stopped_at", "stopped_because"])
        count += 1
    return count


def mark_bounced(addresses) -> int:
    """Mail to these addresses bounced: nothing more goes to them (a bounce
    processor, the admin, or the mail server refusing at once). Returns how
    many known addresses were stopped; an unsubscribed one stays unsubscribed."""
    found = {normalized_email(address) for address in addresses} - {""}
    return Subscriber.objects.filter(email__in=found, stopped_at__isnull=True).update(
        stopped_at=timezone.now(), stopped_because=Subscriber.Stop.BOUNCED
    )


def sign_out_everywhere(subscriber: Subscriber) -> None:
    """Every browser signed in as this address is signed out (a new key)."""
    subscriber.key = new_key()
    Subscriber.objects.filter(pk=subscriber.pk).update(key=subscriber.key)


# --- Who gets what -----------------------------------------------------------------


def receiving(queryset):
    """Subscriptions whose mail may go now: confirmed, to a verified address that
    did not stop (Subscriber.may_receive, as a query)."""
    return queryset.filter(
        confirmed_at__isnull=False,
        subscriber__verified_at__isnull=False,
        subscriber__stopped_at__isnull=True,
    )


def answers_for(reply: Comment) -> Subscription | None:
    """Whom to tell of a published `reply`: the author of the reply it answers, if
    their address confirmed answers from this discussion, may receive mail, and
    is not the replier's. A follower of the whole discussion hears of it in the
    digest instead, not twice."""
    parent = reply.parent
    if parent is None or not parent.author_email:
        return None
    address = normalized_email(parent.author_email)
    if address == normalized_email(reply.author_email):
        return None
    return (
        receiving(Subscription.objects.select_related("subscriber"))
        .filter(article_id=reply.article_id, kind=Kind.ANSWERS, subscriber__email=address)
        .first()
    )


@dataclass(frozen=True)
class Digest:
    subscription: Subscription  # its article and subscriber loaded
    replies: list[Comment]  # the first DIGEST_LIMIT new replies, oldest first
    more: int  # how many more there are
    # What the subscription said before it was claimed for this digest.
    before: tuple[datetime | None, datetime | None] = (None, None)


# What a digest shows of a reply, and what tells the follower's own apart.
DIGEST_COLUMNS = ("id", "author_name", "author_email", "body", "moderated_at")


def take_digests(article_id: int, *, now: datetime | None = None):
    """The digests due for a discussion now, claimed: each follower's
    last_sent_at and sent_through move in the same transaction, so a second
    run (another worker, the sweep) finds nothing to send twice.

    A follower's digest holds the replies published since the last one (or
    since they confirmed), not their own, and is due COMMENTS_DIGEST_MINUTES
    after the last one. Returns the digests and when the next one falls due
    for a follower with new replies who must wait (None: nobody waits).
    Four queries and a savepoint, however many follow; one if nobody does.
    """
    now = now or timezone.now()
    window = timedelta(minutes=max(settings.COMMENTS_DIGEST_MINUTES, 0))
    following = receiving(Subscription.objects.filter(article_id=article_id, kind=Kind.DISCUSSION))
    # Most discussions have no follower: one look-up (subscription_followers_idx)
    # and no write transaction, after every published reply.
    if not following.exists():
        return [], None
    with transaction.atomic():
        followers = list(
            following.select_related("subscriber", "article").select_for_update(
                of=("self",), skip_locked=True
            )
        )
        if not followers:
            return [], None
        start = {f.pk: max(filter(None, (f.sent_through, f.confirmed_at))) for f in followers}
        replies = list(
            Comment.objects.approved()
            .filter(
                article_id=article_id,
                erased_at__isnull=True,
                moderated_at__gt=min(start.values()),
                moderated_at__lte=now,
            )
            .order_by("moderated_at", "id")
            .only(*DIGEST_COLUMNS)
        )
        digests, claimed, next_due = [], [], None
        for follower in followers:
            newer = [r for r in replies if r.moderated_at > start[follower.pk]]
            theirs = [
                r for r in newer if normalized_email(r.author_email) != follower.subscriber.email
            ]
            if not theirs:
                continue
            due_at = follower.last_sent_at + window if follower.last_sent_at else now
            if due_at > now:
                next_due = due_at if next_due is None else min(next_due, due_at)
                continue
            before = (follower.last_sent_at, follower.sent_through)
            digests.append(
                Digest(follower, theirs[:DIGEST_LIMIT], max(len(theirs) - DIGEST_LIMIT, 0), before)
            )
            follower.last_sent_at, follower.sent_through = now, newer[-1].moderated_at
            claimed.append(follower)
        if claimed:
            Subscription.objects.bulk_update(claimed, ["last_sent_at", "sent_through"])
    return digests, next_due


def give_back(digests: list[Digest]) -> None:
    """Digests that could not be sent are unclaimed: their replies wait for the
    next run, as if it had never been."""
    for digest in digests:
        claimed = digest.subscription
        Subscription.objects.filter(
            pk=claimed.pk, last_sent_at=claimed.last_sent_at, sent_through=claimed.sent_through
        ).update(last_sent_at=digest.before[0], sent_through=digest.before[1])


def discussions_with_digests_due(*, now: datetime | None = None) -> list[int]:
    """The articles where some follower's digest is due and has something new in it
    (perhaps only their own replies: take_digests tells)."""
    now = now or timezone.now()
    due_before = now - timedelta(minutes=max(settings.COMMENTS_DIGEST_MINUTES, 0))
    newer = Comment.objects.approved().filter(
        article_id=OuterRef("article_id"),
        moderated_at__gt=OuterRef("start"),
        moderated_at__lte=now,
    )
    return list(
        receiving(Subscription.objects.filter(kind=Kind.DISCUSSION))
        .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=due_before))
        .annotate(start=Coalesce(F("sent_through"), F("confirmed_at")))
        .filter(Exists(newer))
        .order_by("article_id")
        .values_list("article_id", flat=True)
        .distinct()
    )
