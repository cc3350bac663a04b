"""The moderation rules every new reply goes through.

Each rule is a small object with a `slug` and a `check(submission)` method that
returns a `Decision` or None ("no opinion"). Rules may query but never write:
recording what happened is the job of services.py, which also counts each
reply against its address (`count_reply`) before any rule runs, in one step,
so replies sent at once cannot all slip under the flood limit.
`moderate()` runs the rules listed in `settings.COMMENTS_RULES`; the strictest
verdict wins, and when no rule speaks the site policy (`COMMENTS_MODERATION`)
decides. Every decision is kept, so editors can always see why. The cheap
refusals come first (a stale form, a flood, a duplicate): a reply they refuse
is never rendered, since `Submission.body_html` is made when first read.
"""

from __future__ import annotations

import enum
import functools
import ipaddress
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

from plumbing import counters
from plumbing.db import PreparedQuery
from plumbing.pagecache import versions

from .sanitize import count_links, render_comment

if TYPE_CHECKING:
    from articles.models import Article

    from .models import Comment


class Verdict(enum.IntEnum):
    """What happens to a reply, mildest first: a higher value is stricter."""

    APPROVE = 1
    HOLD = 2
    SPAM = 3
    REJECT = 4


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    rule: str  # stable slug, kept in moderation_reasons and shown in the admin
    detail: str  # a sentence for editors: "3 links; the limit is 2"
    advice: str = ""  # for a refusal: what the reader can do about it

    def as_reason(self) -> dict[str, str]:
        return {"rule": self.rule, "verdict": self.verdict.name.lower(), "detail": self.detail}


@dataclass(frozen=True)
class FormEvidence:
    """What the reply form tells about how it was filled in (the API has none)."""

    issued_at: float | None  # when the form was shown; None if unsigned or tampered
    honeypot: str = ""  # a field hidden from people; only robots fill it in

    def age(self, now: float | None = None) -> float | None:
        if self.issued_at is None:
            return None
        return (now or time.time()) - self.issued_at


@dataclass(frozen=True)
class Submission:
    """A reply as it arrived, cleaned, before anything is saved."""

    article: Article
    parent: Comment | None
    author_name: str
    author_email: str
    author_url: str
    body: str
    ip_address: str | None = None
    user_agent: str = ""
    form: FormEvidence | None = None
    # Comments this browser posted before (signed cookie); empty for the API.
    earlier_comment_ids: frozenset[int] = frozenset()
    # Replies from this address in the current flood window, this one included.
    sent_lately: int = 1
    # For an author's edit: the comment whose text this would replace.
    replaces: Comment | None = None
    received_at: float = field(default_factory=time.time)

    @functools.cached_property
    def body_html(self) -> str:
        """The reply as readers would see it, made only if a rule or the save asks."""
        return render_comment(self.body)


class Rule(Protocol):
    slug: str

    def check(self, submission: Submission) -> Decision | None: ...


# --- The rules ----------------------------------------------------------------


@dataclass(frozen=True)
class Honeypot:
    slug = "honeypot"

    @classmethod
    def from_settings(cls) -> Honeypot:
        return cls()

    def check(self, submission: Submission) -> Decision | None:
        if submission.form is None or not submission.form.honeypot:
            return None
        return Decision(Verdict.SPAM, self.slug, "The field hidden from people was filled in.")


@dataclass(frozen=True)
class StaleForm:
    """Refuse a form that is too old, or whose signed timestamp is missing or altered."""

    max_age: int
    slug = "stale-form"

    @classmethod
    def from_settings(cls) -> StaleForm:
        return cls(max_age=settings.COMMENTS_FORM_MAX_AGE)

    def check(self, submission: Submission) -> Decision | None:
        if submission.form is None:
            return None
        age = submission.form.age(submission.received_at)
        if age is None:
            return Decision(
                Verdict.REJECT,
                self.slug,
                "The form's signed timestamp was missing or did not verify.",
                advice="We could not verify this form. Your text is still below: "
                "please send it again.",
            )
        if age > self.max_age:
            return Decision(
                Verdict.REJECT,
                self.slug,
                f"The form was {age / 3600:.1f} hours old; the limit is "
                f"{self.max_age / 3600:.1f} hours.",
                advice="This form was open for a long time, so we need you to send it "
                "once more. Your text is still below.",
            )
        return None


@dataclass(frozen=True)
class TooFast:
    min_seconds: int
    slug = "too-fast"

    @classmethod
    def from_settings(cls) -> TooFast:
        return cls(min_seconds=settings.COMMENTS_MIN_SECONDS)

    def check(self, submission: Submission) -> Decision | None:
        if submission.form is None:
            return None
        age = submission.form.age(submission.received_at)
        if age is None or age >= self.min_seconds:
            return None
        # Hold rather than spam: a fast typist with a pasted reply is still a person.
        return Decision(
            Verdict.HOLD,
            self.slug,
            f"Sent {age:.1f} s after the form was shown; the minimum is {self.min_seconds} s.",
        )


def flood_key(ip_address: str | None) -> str:
    if ip_address is None:
        # Unreadable addresses (a misconfigured proxy, logged) share one count
        # rather than escape it.
        return "flood:unknown"
    address = ipaddress.ip_address(ip_address)
    if address.version == 6:
        # One IPv6 subscriber usually holds a whole /64.
        address = ipaddress.ip_network(f"{address}/64", strict=False).network_address
    return f"flood:{address}"


def count_reply(ip_address: str | None) -> int:
    """Count a reply that arrived from `ip_address`; returns how many did in the
    current flood window, this one included.

    One atomic increment of a shared counter: replies that arrive at once get
    one number each, whatever happens to them next.
    """
    return counters.hit(flood_key(ip_address), settings.COMMENTS_FLOOD_SECONDS).count


@dataclass(frozen=True)
class Flood:
    """Refuse the reply that goes over `limit` from one address within the
    flood window (COMMENTS_FLOOD_SECONDS, in which count_reply counts)."""

    limit: int
    slug = "flood"

    @classmethod
    def from_settings(cls) -> Flood:
        return cls(limit=settings.COMMENTS_FLOOD_LIMIT)

    def check(self, submission: Submission) -> Decision | None:
        sent = submission.sent_lately
        if sent <= self.limit:
            return None
        window = settings.COMMENTS_FLOOD_SECONDS
        return Decision(
            Verdict.REJECT,
            self.slug,
            f"Reply {sent} from this address within {window} s; the limit is {self.limit}.",
            advice="You are posting faster than we allow. Please wait a minute, then send "
            "your reply again.",
        )


def _same_text(article: int, email: str, text_fingerprint: str):
    from .models import Comment

    # Newest first: a sender's own copy is usually recent. Served by comment_duplicate_idx.
    return (
        Comment.objects.filter(article_id=article, author_email=email, fingerprint=text_fingerprint)
        .values_list("pk", "ip_address", "purged_at")
        .order_by("-pk")[:50]
    )


SAME_TEXT = PreparedQuery(_same_text, article=1, email="", text_fingerprint="")


def _same_address(stored: str | None, sent: str | None) -> bool:
    if sent is None:  # an unreadable address: the same sender as other unreadable ones
        return stored is None
    return stored is not None and ipaddress.ip_address(stored) == ipaddress.ip_address(sent)


@dataclass(frozen=True)
class Duplicate:
    slug = "duplicate"

    @classmethod
    def from_settings(cls) -> Duplicate:
        return cls()

    def check(self, submission: Submission) -> Decision | None:
        from .models import fingerprint

        earlier = SAME_TEXT.rows(
            article=submission.article.pk,
            email=submission.author_email,
            text_fingerprint=fingerprint(submission.body),
        )
        # Only the sender's own earlier posts (same browser or same address) count:
        # otherwise the refusal would confirm to anyone that some address wrote
        # some public comment.
        replaces = submission.replaces.pk if submission.replaces is not None else None
        repeated = any(
            pk in submission.earlier_comment_ids
            # A purged reply's address is gone, not unreadable: it matches no one.
            or (purged is None and _same_address(address, submission.ip_address))
            for pk, address, purged in earlier
            if pk != replaces
        )
        if not repeated:
            return None
        return Decision(
            Verdict.REJECT,
            self.slug,
            "The same author already sent this text under this article.",
            advice="You have already sent this reply; it is either published or waiting "
            "for a moderator.",
        )


_URL_IN_HTML = re.compile(r'href="([^"]+)"')


def _link_hosts(html: str) -> set[str]:
    return {(urlsplit(url).hostname or "").lower() for url in _URL_IN_HTML.findall(html)} - {""}


def _hosts(submission: Submission) -> set[str]:
    hosts = _link_hosts(submission.body_html)
    if submission.author_url:
        hosts.add((urlsplit(submission.author_url).hostname or "").lower())
    hosts.add(submission.author_email.rpartition("@")[2].lower())
    return hosts - {""}


def _within_domain(host: str, domain: str) -> bool:
    return host == domain or host.endswith(f".{domain}")


def _mentions_domain(text: str, domain: str) -> bool:
    # "spam.example" or "www.spam.example", but not "notspam.example" or "spam.example.org".
    pattern = rf"(?<![\w.-])(?:[\w-]+\.)*{re.escape(domain)}(?![\w-]|\.[\w-])"
    return re.search(pattern, text, re.IGNORECASE) is not None


BLOCKLIST = "blocklist"  # the content scope services.blocklist_changed() moves


class BlockedTerms:
    """Every BlockedTerm, kept by each process and read again only after a change."""

    def __init__(self):
        self.token: int | None = None
        self.terms: list = []

    def current(self) -> list:
        from .models import BlockedTerm

        # The token first: a change made while the terms are read gives a new token,
        # and the next reply reads them again.
        token = versions.token(BLOCKLIST)
        if token is None or token != self.token:
            self.terms = list(BlockedTerm.objects.all())
            self.token = token
        return self.terms

    def forget(self) -> None:
        self.token, self.terms = None, []


blocked_terms = BlockedTerms()


@dataclass(frozen=True)
class Blocklist:
    """Words, addresses, domains and networks editors listed as BlockedTerm rows."""

    slug = "blocklist"

    @classmethod
    def from_settings(cls) -> Blocklist:
        return cls()

    def check(self, submission: Submission) -> Decision | None:
        from .models import BlockedTerm

        moment = datetime.fromtimestamp(submission.received_at, tz=UTC)
        matches = [
            term
            for term in blocked_terms.current()
            if term.in_force(moment) and self._matches(term, submission)
        ]
        if not matches:
            return None
        spam = any(term.action == BlockedTerm.Action.SPAM for term in matches)
        verdict = Verdict.SPAM if spam else Verdict.HOLD
        listed = ", ".join(f"{term.get_kind_display().lower()} “{term.value}”" for term in matches)
        return Decision(verdict, self.slug, f"Matches the blocklist: {listed}.")

    @staticmethod
    def _matches(term, submission: Submission) -> bool:
        kind = term.Kind
        if term.kind == kind.WORD:
            pattern = rf"(?<!\w){re.escape(term.value)}(?!\w)"
            text = f"{submission.author_name}\n{submission.author_url}\n{submission.body}"
            return re.search(pattern, text, re.IGNORECASE) is not None
        if term.kind == kind.EMAIL:
            return submission.author_email.lower() == term.value
        if term.kind == kind.DOMAIN:
            return any(
                _within_domain(host, term.value) for host in _hosts(submission)
            ) or _mentions_domain(submission.body, term.value)
        if term.kind == kind.IP and submission.ip_address:
            try:
                network = ipaddress.ip_network(term.value, strict=False)
                return ipaddress.ip_address(submission.ip_address) in network
            except ValueError:
                return False
        return False


@dataclass(frozen=True)
class TooManyLinks:
    limit: int
    slug = "too-many-links"

    @classmethod
    def from_settings(cls) -> TooManyLinks:
        return cls(limit=settings.COMMENTS_MAX_LINKS)

    def check(self, submission: Submission) -> Decision | None:
        found = count_links(submission.body_html)
        if found <= self.limit:
            return None  # no opinion: other rules and the site policy decide
        # Hold rather than spam: link-heavy replies are often honest source lists.
        links = f"{found} link" if found == 1 else f"{found} links"
        return Decision(Verdict.HOLD, self.slug, f"{links}; the limit is {self.limit}.")


@dataclass(frozen=True)
class FirstTimeAuthor:
    """Hold the reply of anyone this browser has not shown to be a published author.

    A returning author is one whose earlier comment, sent from the same browser
    with the same address, was approved. Matching the address alone would let
    anyone who knows (or guesses) a regular's address post as them.
    """

    slug = "first-time-author"

    @classmethod
    def from_settings(cls) -> FirstTimeAuthor:
        return cls()

    def check(self, submission: Submission) -> Decision | None:
        from .models import Comment

        known = (
            bool(submission.earlier_comment_ids)
            and Comment.objects.approved()
            .filter(pk__in=submission.earlier_comment_ids, author_email=submission.author_email)
            .exists()
        )
        if known:
            return None
        return Decision(
            Verdict.HOLD,
            self.slug,
            "No earlier approved reply from this browser with this e-mail address.",
        )


# --- Running them ---------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    decisions: tuple[Decision, ...]

    @property
    def reasons(self) -> list[dict[str, str]]:
        return [decision.as_reason() for decision in self.decisions]

    @property
    def refusal(self) -> Decision | None:
        return next((d for d in self.decisions if d.verdict is Verdict.REJECT), None)


_rule_class = functools.cache(import_string)  # the list is read on every reply


def configured_rules() -> list[Rule]:
    return [_rule_class(path).from_settings() for path in settings.COMMENTS_RULES]


def site_policy(submission: Submission) -> Decision:
    """What happens to a reply no rule objected to (`COMMENTS_MODERATION`)."""
    policy = settings.COMMENTS_MODERATION
    if policy == "none":
        return Decision(Verdict.APPROVE, "policy", "Published at once: no pre-moderation.")
    if policy == "all":
        return Decision(Verdict.HOLD, "policy", "Every reply waits for a moderator.")
    edited = submission.replaces
    if edited is not None and edited.status == edited.Status.APPROVED:
        # Its author was trusted with this text; a link to somewhere new was never
        # checked by anyone (a published reply must not turn into an advertisement).
        added = _link_hosts(submission.body_html) - _link_hosts(edited.body_html)
        if added:
            return Decision(
                Verdict.HOLD,
                "edit-adds-links",
                f"The edit adds links to {', '.join(sorted(added))}.",
            )
        return Decision(
            Verdict.APPROVE, "edit-of-published", "An edit of a published reply by its author."
        )
    first_time = FirstTimeAuthor.from_settings().check(submission)
    return first_time or Decision(
        Verdict.APPROVE,
        "returning-author",
        "An earlier reply from this browser and address was approved.",
    )


def moderate(submission: Submission, rules: list[Rule] | None = None) -> Outcome:
    """Run the rules over a submission; the strictest decision wins.

    A refusal ends the review at once, since nothing will be saved.
    """
    decisions: list[Decision] = []
    for rule in configured_rules() if rules is None else rules:
        decision = rule.check(submission)
        if decision is None:
            continue
        decisions.append(decision)
        if decision.verdict is Verdict.REJECT:
            break
    if not decisions:
        decisions.append(site_policy(submission))
    return Outcome(max(d.verdict for d in decisions), tuple(decisions))
