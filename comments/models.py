from __future__ import annotations

import functools
import hashlib
import ipaddress
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

from .validators import validate_web_url


def fingerprint(text: str) -> str:
    """Equal for texts that differ only in spacing and letter case."""
    normalized = " ".join(text.split()).casefold()
    return hashlib.blake2b(normalized.encode(), digest_size=16).hexdigest()


class DerivedField(models.CharField):
    """A value made from another field (`source`) of the row whenever it is saved:
    every kind of save (save(), bulk_create(), a prepared insert) comes by pre_save."""

    default_source = ""
    default_max_length = 0

    def __init__(self, *args, source: str | None = None, **kwargs):
        self.source = source or self.default_source
        kwargs.setdefault("max_length", self.default_max_length)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.source != self.default_source:
            kwargs["source"] = self.source
        return name, path, args, kwargs

    def derive(self, model_instance, source_value) -> str:
        raise NotImplementedError

    def pre_save(self, model_instance, add):
        value = self.derive(model_instance, getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


class FingerprintField(DerivedField):
    """The fingerprint() of another field."""

    default_source = "body"
    default_max_length = 32

    def derive(self, model_instance, text):
        return fingerprint(text)


class CommentQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        return self.filter(status=Comment.Status.PENDING)

    def for_article(self, article):
        return self.filter(article=article)

    def public(self):
        """Approved replies under public articles: all that any reader may see."""
        return self.approved().filter(article__in=Article.objects.published())


@functools.lru_cache(maxsize=4096)  # a reader who posts again comes from the same address
def network_of(ip_address: str | None) -> str:
    """The coarse network of an address: its /24 (IPv4) or /48 (IPv6); "" for none."""
    if not ip_address:
        return ""
    address = ipaddress.ip_address(ip_address)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


class NetworkField(DerivedField):
    """network_of() another field while the row has an address; kept as it is once
    the address is gone (comments.retention)."""

    default_source = "ip_address"
    default_max_length = 50

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def derive(self, model_instance, address):
        return network_of(address) if address else getattr(model_instance, self.attname)


class Comment(models.Model):
    # What any reader may see of a comment: pages, feeds and the API load these
    # (and what they need of the article), never the e-mail, IP or user agent.
    PUBLIC_FIELDS = (
        "id",
        "parent_id",
        "author_name",
        "author_url",
        "body_html",
        "created_at",
        "edited_at",
        "picked_at",
        "author_role",
        "recommendations",
    )

    class Role(models.TextChoices):
        READER = "", "Reader"
        STAFF = "staff", "Staff"
        AUTHOR = "author", "Author"  # of the article

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"
        # Withdrawn by its author within the edit window (services.delete_own).
        DELETED = "deleted", "Deleted by author"

    # No index of its own: comment_thread_idx and comment_duplicate_idx both start
    # with the article, and one more index would be one more to update per reply.
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # 0 for a top-level comment; stored so a thread can be laid out in one pass.
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    author_name = models.CharField("name", max_length=100)
    # A staff member signed in to the site posts as themselves: their account, and
    # the role readers see beside the name (kept, so pages and feeds need no join).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        editable=False,
    )
    author_role = models.CharField(
        max_length=10, choices=Role.choices, default=Role.READER, blank=True, editable=False
    )
    # Blank only once erased at its owner's request (comments.privacy).
    author_email = models.EmailField("e-mail", max_length=254, blank=True)  # private
    author_url = models.URLField(
        "website", max_length=200, blank=True, validators=[validate_web_url]
    )
    body = models.TextField(help_text="As the reader wrote it.")
    # A digest of the text, so "has this author sent this text here before?" is
    # one index look-up however many comments they wrote.
    fingerprint = FingerprintField(source="body")
    body_html = models.TextField(editable=False, help_text="Sanitized once, when written.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    moderation_reasons = models.JSONField(default=list, blank=True, editable=False)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)  # private
    user_agent = models.CharField(max_length=500, blank=True)  # private
    # The address's /24 or /48, which moderators may keep seeing after the address
    # itself is purged (COMMENTS_KEEP_NETWORK).
    ip_network = NetworkField("network")  # private
    # When the address and user agent were erased, COMMENTS_IP_RETENTION_DAYS after
    # the reply came (comments.retention); empty while they are kept.
    purged_at = models.DateTimeField("personal data purged", null=True, blank=True, editable=False)
    notify_on_reply = models.BooleanField(default=False)
    # When its author's data was erased at their request (comments.privacy): name,
    # address, website, text and network gone; readers see a placeholder at most.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # When the text readers see last changed after it was published (by its author,
    # or a moderator's correction); shown as "edited".
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    # A digest of the edit token given once to an API client (services.token_digest);
    # the token itself is never stored. Empty for replies sent through the form.
    edit_token_digest = models.CharField(max_length=64, blank=True, editable=False)  # private
    # How many browsers recommend it: kept by services.recommend with each
    # Recommendation, so no page counts rows.
    recommendations = models.PositiveIntegerField(default=0, editable=False)
    # Where an imported reply came from ("wordpress:<site>:comment:<id>"), so
    # importing again updates it instead of adding another (comments.moving).
    import_key = models.CharField(max_length=250, blank=True, editable=False)
    # When a moderator made it an editors' pick (services.pick); empty if it is not one.
    picked_at = models.DateTimeField(null=True, blank=True, editable=False)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # An article's thread, the API lists and feeds: approved, in time order.
            models.Index(
                fields=["article", "status", "created_at", "id"], name="comment_thread_idx"
            ),
            # The moderation queues: one status, newest first; and every status.
            models.Index(fields=["status", "-created_at", "-id"], name="comment_queue_idx"),
            models.Index(fields=["-created_at", "-id"], name="comment_recent_idx"),
            # Finding a person's comments; duplicates.
            models.Index(fields=["author_email", "status"], name="comment_email_idx"),
            # Everything under one address, however its letters were typed: the
            # owner's export and erasure (comments.privacy).
            models.Index(Lower("author_email"), name="comment_email_folded_idx"),
            models.Index(
                fields=["article", "author_email", "fingerprint"], name="comment_duplicate_idx"
            ),
            models.Index(fields=["ip_address", "created_at"], name="comment_ip_idx"),
            # The purge's next batch: the oldest replies whose address is still kept.
            models.Index(
                fields=["created_at"],
                name="comment_unpurged_idx",
                condition=models.Q(purged_at__isnull=True),
            ),
            # API sync: "approved since <time>", or edited since.
            models.Index(fields=["status", "moderated_at"], name="comment_published_idx"),
            models.Index(
                fields=["status", "edited_at"],
                name="comment_edited_idx",
                condition=models.Q(edited_at__isnull=False),
            ),
            # The API's ?picked=true: the few picks of all articles.
            models.Index(
                fields=["article", "picked_at"],
                name="comment_picked_idx",
                condition=models.Q(picked_at__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["import_key"],
                condition=~models.Q(import_key=""),
                name="one_comment_per_import_key",
            ),
            # moderated_at is when an approved comment became public; sync relies on it.
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(moderated_at__isnull=False),
                name="approved_comment_has_moderated_at",
            ),
        ]

    def __str__(self):
        return f"{self.author_name} on {self.article_id}: {self.excerpt}"

    def get_absolute_url(self):
        return reverse("comments:permalink", kwargs={"slug": self.article.slug, "pk": self.pk})

    @staticmethod
    def depth_under(parent: Comment | None) -> int:
        """The depth of a reply to `parent` (0: a top-level comment)."""
        return 0 if parent is None else parent.depth + 1

    def edit_deadline(self) -> datetime | None:
        """Until when its author may edit or delete it; None if authors never may."""
        return self.edit_deadline_after(self.created_at)

    @staticmethod
    def edit_deadline_after(created_at: datetime) -> datetime | None:
        """Until when the author of a comment made at `created_at` may change it."""
        minutes = settings.COMMENTS_EDIT_MINUTES
        return created_at + timedelta(minutes=minutes) if minutes > 0 else None

    @property
    def excerpt(self) -> str:
        text = " ".join(self.body.split())
        return text if len(text) <= 80 else f"{text[:79]}…"


class Revision(models.Model):
    """A text of a comment other than the one it shows: an earlier version, or an
    edit by its author that waits for a moderator (or was not taken).

    A comment's versions are its revisions marked EARLIER, oldest first, then its
    own text. Each EARLIER row says when that text was replaced and by whom, so
    version n was written when version n - 1 was replaced (the first one: when
    the comment was posted).
    """

    class State(models.TextChoices):
        EARLIER = "earlier", "Earlier version"
        HELD = "held", "Edit awaiting moderation"
        APPROVED = "approved", "Edit approved"
        DECLINED = "declined", "Edit declined"
        WITHDRAWN = "withdrawn", "Edit withdrawn"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    state = models.CharField(max_length=10, choices=State.choices)
    body = models.TextField()
    body_html = models.TextField()
    # EARLIER: when this text was replaced, and by whom (empty: its author).
    # Otherwise: when the author sent the edit, and who decided on it (empty: the
    # rules, or nobody yet). An approved edit's text is also the next version's.
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Why the rules held or refused an edit.
    reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [
            # A comment's versions and held edit; the queue of edits waiting.
            models.Index(fields=["comment", "state"], name="revision_comment_idx"),
            models.Index(
                fields=["state", "-changed_at"],
                name="revision_held_idx",
                condition=models.Q(state="held"),
            ),
        ]
        constraints = [
            # One edit waits at a time: a newer one withdraws it.
            models.UniqueConstraint(
                fields=["comment"], condition=models.Q(state="held"), name="one_held_edit"
            ),
        ]

    def __str__(self):
        return f"{self.get_state_display()} of comment {self.comment_id}"


class Report(models.Model):
    """A reader's word that a published reply needs a moderator's look.

    Why is for moderators alone, and who is not even stored. One report per reply
    from an address (an IPv6 /48, which one subscriber may hold whole), so one
    client with many cookies or addresses counts once towards
    COMMENTS_REPORT_THRESHOLD.
    """

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSE = "abuse", "Abuse or harassment"
        OFF_TOPIC = "off-topic", "Off-topic"
        PERSONAL = "personal", "Personal information"
        OTHER = "other", "Something else"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    # Who it counts as: a keyed digest of the address (an IPv6 /48), which tells
    # reporters apart and names none (services.reporter_key).
    reporter = models.CharField(max_length=64, editable=False)  # private
    created_at = models.DateTimeField(default=timezone.now)
    # Set when a moderator has looked and left the reply as it is.
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_address"),
        ]
        indexes = [
            # The Reported queue: replies with reports nobody has dismissed.
            models.Index(
                fields=["comment"],
                name="report_open_idx",
                condition=models.Q(dismissed_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} on comment {self.comment_id}"


class Recommendation(models.Model):
    """A reader's word that a published reply is worth reading. No down-votes.

    One per reply from a browser (a random key in a cookie, stored as a keyed
    digest), and at most COMMENTS_RECOMMENDATIONS_PER_ADDRESS per reply from one
    address (an IPv6 /48), so clearing cookies buys little. Neither names
    anyone, and neither is ever shown: readers see only the count.
    """

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    browser = models.CharField(max_length=64, editable=False)  # private
    address = models.CharField(max_length=64, editable=False)  # private
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "browser"], name="one_recommendation_per_browser"
            ),
        ]
        indexes = [
            # How many a reply has from one address.
            models.Index(fields=["comment", "address"], name="recommendation_address_idx"),
        ]

    def __str__(self):
        return f"Recommendation of comment {self.comment_id}"


class ModerationEvent(models.Model):
    """One change of a comment's status, by a person or by the rules, and why."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="events")
    # Empty when the rules decided on submission.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_events",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Empty for the decision taken when the comment arrived.
    from_status = models.CharField(max_length=10, choices=Comment.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Comment.Status.choices)
    reasons = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        who = self.actor or "rules"
        return f"{self.from_status or 'new'} → {self.to_status} by {who}"

    @property
    def explanation(self) -> str:
        if self.note:
            return self.note
        return "; ".join(reason.get("detail", "") for reason in self.reasons)


class BlockedTerm(models.Model):
    """Something editors never want published: a word, an address, a network."""

    class Kind(models.TextChoices):
        WORD = "word", "Word or phrase"
        EMAIL = "email", "E-mail address"
        DOMAIN = "domain", "Domain (e-mail, website and links)"
        IP = "ip", "IP address or network (CIDR)"

    class Action(models.TextChoices):
        HOLD = "hold", "Hold for moderation"
        SPAM = "spam", "Mark as spam"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.HOLD)
    note = models.CharField(max_length=200, blank=True, help_text="Why it is blocked.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty to block until the entry is deleted."
    )

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="unique_blocked_term"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"

    def save(self, *args, **kwargs):
        self.value = self.normalized_value(self.kind, self.value)
        super().save(*args, **kwargs)

    def clean(self):
        value = self.normalized_value(self.kind, self.value or "")
        if not value:
            raise ValidationError({"value": "Enter something to block."})
        if self.kind == self.Kind.IP:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise ValidationError(
                    {"value": "Enter an IP address (203.0.113.7) or a network (203.0.113.0/24)."}
                ) from None
        elif self.kind == self.Kind.EMAIL:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError({"value": "Enter a complete e-mail address."}) from None
        elif self.kind == self.Kind.DOMAIN and ("." not in value or "/" in value or "@" in value):
            raise ValidationError({"value": "Enter a domain name such as example.com."})

    def in_force(self, moment: datetime) -> bool:
        return self.expires_at is None or self.expires_at > moment

    @staticmethod
    def normalized_value(kind: str, value: str) -> str:
        value = value.strip()
        if kind in {BlockedTerm.Kind.EMAIL, BlockedTerm.Kind.DOMAIN}:
            return value.lower().rstrip(".")
        if kind == BlockedTerm.Kind.IP:
            try:
                return str(ipaddress.ip_network(value, strict=False))
            except ValueError:
                return value  # clean() explains what is wrong with it
        return value


# --- Mail to commenters, and their data ------------------------------------------


def normalized_email(address: str) -> str:
    """The form an address is kept and compared in: the whole of it, in small letters."""
    return address.strip().lower()


class Subscriber(models.Model):
    """An e-mail address that asked for mail from the site.

    Nothing but a confirmation goes to it until someone who reads its mail opens
    the link in that confirmation (`verified_at`). Once it unsubscribed from
    everything or bounced (`stopped_at`), nothing goes to it at all, not even a
    confirmation, until its owner asks again from a browser signed in as it or
    from their data page. `key` is in every browser cookie that signs in as it:
    changing it signs them all out.
    """

    class Stop(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed from all mail"
        BOUNCED = "bounced", "Mail bounced"

    email = models.EmailField("e-mail", max_length=254, unique=True)  # private, normalized
    created_at = models.DateTimeField(default=timezone.now)
    verified_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_because = models.CharField(max_length=12, choices=Stop.choices, blank=True)
    key = models.CharField(max_length=32, editable=False)  # private

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    @property
    def may_receive(self) -> bool:
        """Whether notifications may go to it now."""
        return self.verified_at is not None and self.stopped_at is None


class Subscription(models.Model):
    """Mail one address asked for about one discussion: every answer to its own
    replies there, or every newly published reply (in digests)."""

    class Kind(models.TextChoices):
        ANSWERS = "answers", "Answers to my replies"
        DISCUSSION = "discussion", "Every new reply"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ANSWERS)
    created_at = models.DateTimeField(default=timezone.now)
    # Empty until the address's owner said yes (a confirmation link, or a browser
    # signed in as them): no mail goes out for it before.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Digests: when the last one went, and the publication time of the newest
    # reply it held (the next one starts after it).
    last_sent_at = models.DateTimeField(null=True, blank=True)
    sent_through = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "article"], name="one_subscription_per_discussion"
            ),
        ]
        indexes = [
            # Who follows a discussion, when one of its replies is published.
            models.Index(
                fields=["article", "kind"],
                name="subscription_followers_idx",
                condition=models.Q(confirmed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on article {self.article_id}"


class DataLink(models.Model):
    """A link mailed to an address for its owner to download or erase what the site
    holds about it. The link carries a random token; only its digest is kept, so
    the address never appears in a URL (URLs end up in logs)."""

    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    email = models.EmailField("e-mail", max_length=254)  # private, normalized
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["email"], name="datalink_email_idx"),
            models.Index(fields=["expires_at"], name="datalink_expiry_idx"),
        ]

    def __str__(self):
        return f"Data link made {self.created_at:%Y-%m-%d %H:%M}"


class DataRequest(models.Model):
    """The audit trail of exports and erasures: who, when, how many replies. It
    names no address, so it can outlive the data it is about."""

    class Kind(models.TextChoices):
        EXPORT = "export", "Export"
        ERASURE = "erasure", "Erasure"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # The moderator who did it in the admin; empty when the commenter did it
    # through a link mailed to them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replies = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        who = self.actor or "the commenter"
        return f"{self.get_kind_display()} by {who}, {self.replies} replies"
