import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from comments.models import BlockedTerm, Comment
from comments.moderation import (
    Blocklist,
    Decision,
    Duplicate,
    FirstTimeAuthor,
    Flood,
    FormEvidence,
    Honeypot,
    StaleForm,
    Submission,
    TooFast,
    TooManyLinks,
    Verdict,
    count_reply,
    moderate,
)
from plumbing.http import parse_ip
from tests.factories import ArticleFactory, BlockedTermFactory, CommentFactory

pytestmark = pytest.mark.django_db
NOW = 1_800_000_000.0


def submission(article=None, *, body="A perfectly ordinary reply.", form=None, **fields):
    values = {
        "author_name": "Ada",
        "author_email": "ada@example.org",
        "author_url": "",
        "ip_address": "203.0.113.9",
        "user_agent": "TestBrowser",
        **fields,
    }
    return Submission(
        article=article or ArticleFactory(),
        parent=None,
        body=body,
        form=form,
        received_at=NOW,
        **values,
    )


def shown_seconds_ago(seconds, **kwargs):
    return FormEvidence(issued_at=NOW - seconds, **kwargs)


def verdict_and_rule(decision):
    return None if decision is None else (decision.verdict, decision.rule)


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (None, None),
        (shown_seconds_ago(60), None),
        (shown_seconds_ago(60, honeypot="http://spam.example"), (Verdict.SPAM, "honeypot")),
    ],
)
def test_honeypot(form, expected):
    assert verdict_and_rule(Honeypot().check(submission(form=form))) == expected


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (None, None),  # the API has no form
        (shown_seconds_ago(60), None),
        (shown_seconds_ago(5 * 3600), None),
        (shown_seconds_ago(7 * 3600), (Verdict.REJECT, "stale-form")),
        (FormEvidence(issued_at=None), (Verdict.REJECT, "stale-form")),
    ],
)
def test_stale_or_tampered_form(form, expected):
    rule = StaleForm(max_age=6 * 3600)

    assert verdict_and_rule(rule.check(submission(form=form))) == expected


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (None, None),
        (shown_seconds_ago(1), (Verdict.HOLD, "too-fast")),
        (shown_seconds_ago(2.9), (Verdict.HOLD, "too-fast")),
        (shown_seconds_ago(3), None),
        (FormEvidence(issued_at=None), None),  # StaleForm's business
    ],
)
def test_too_fast(form, expected):
    assert verdict_and_rule(TooFast(min_seconds=3).check(submission(form=form))) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("No links at all.", None),
        ("One https://a.example.org and two https://b.example.org", None),
        (
            "https://a.example.org https://b.example.org https://c.example.org",
            (Verdict.HOLD, "too-many-links"),
        ),
    ],
)
def test_too_many_links(body, expected):
    decision = TooManyLinks(limit=2).check(submission(body=body))

    assert verdict_and_rule(decision) == expected
    if decision:
        assert decision.detail == "3 links; the limit is 2."


def test_links_on_newer_top_level_domains_are_held_like_any_other():
    body = "Deals: " + " ".join(f"shop{n}.xyz" for n in range(10))

    decision = TooManyLinks(limit=2).check(submission(body=body))

    assert verdict_and_rule(decision) == (Verdict.HOLD, "too-many-links")
    assert decision.detail == "10 links; the limit is 2."


def test_duplicate_same_sender_text_and_article():
    article = ArticleFactory()
    earlier = CommentFactory(
        article=article,
        author_email="ada@example.org",
        body="Same words.",
        ip_address="203.0.113.9",
    )

    assert verdict_and_rule(Duplicate().check(submission(article, body="Same words."))) == (
        Verdict.REJECT,
        "duplicate",
    )
    assert Duplicate().check(submission(article, body="Other words.")) is None
    assert Duplicate().check(submission(body="Same words.")) is None  # another article
    other_address = {"author_email": "bo@example.org"}
    assert Duplicate().check(submission(article, body="Same words.", **other_address)) is None
    # From another network, only the browser's own earlier comments count: the
    # refusal must not confirm who wrote a public comment.
    elsewhere = {"ip_address": "198.51.100.50"}
    assert Duplicate().check(submission(article, body="Same words.", **elsewhere)) is None
    assert (
        Duplicate().check(
            submission(
                article,
                body="Same words.",
                earlier_comment_ids=frozenset({earlier.pk}),
                **elsewhere,
            )
        )
        is not None
    )


def test_duplicate_ignores_spacing_case_and_address_spelling(django_assert_num_queries):
    article = ArticleFactory()
    CommentFactory(
        article=article,
        author_email="ada@example.org",
        body="Same  words,\nsame reply.",
        ip_address="2001:db8::7",
    )
    again = submission(article, body="same words, SAME reply.", ip_address="2001:db8:0:0::7")

    with django_assert_num_queries(1):
        decision = Duplicate().check(again)

    assert verdict_and_rule(decision) == (Verdict.REJECT, "duplicate")


def test_flood_refuses_the_reply_over_the_limit():
    rule = Flood(limit=2)

    assert rule.check(submission(sent_lately=2)) is None
    decision = rule.check(submission(sent_lately=3))
    assert verdict_and_rule(decision) == (Verdict.REJECT, "flood")
    assert decision.detail == "Reply 3 from this address within 60 s; the limit is 2."


def test_replies_are_counted_per_address(counter_clock):
    assert [count_reply("203.0.113.9") for _ in range(3)] == [1, 2, 3]
    assert count_reply("203.0.113.10") == 1


def test_replies_of_an_ipv6_subscriber_are_counted_by_64(counter_clock):
    count_reply("2001:db8:1:2::1")

    assert count_reply("2001:db8:1:2::ffff") == 2
    assert count_reply("2001:db8:1:3::1") == 1


def test_replies_arriving_at_once_each_get_their_own_count(counter_clock):
    start = threading.Barrier(16)

    def send(_):
        start.wait()
        return count_reply("203.0.113.9")

    with ThreadPoolExecutor(16) as pool:
        counts = list(pool.map(send, range(16)))

    # So a limit of 5 lets exactly five through.
    assert sorted(counts) == list(range(1, 17))


def test_ipv4_clients_of_a_dual_stack_listener_are_counted_apart(counter_clock):
    count_reply(parse_ip("::ffff:203.0.113.9"))

    assert count_reply(parse_ip("::ffff:198.51.100.7")) == 1
    assert count_reply("203.0.113.9") == 2


def test_unreadable_addresses_share_one_count_instead_of_escaping_it(counter_clock):
    assert [count_reply(None) for _ in range(7)][-1] == 7


def test_a_duplicate_from_an_unreadable_address_is_still_a_duplicate():
    article = ArticleFactory()
    CommentFactory(article=article, author_email="ada@example.org", body="Same.", ip_address=None)

    decision = Duplicate().check(submission(article, body="Same.", ip_address=None))

    assert verdict_and_rule(decision) == (Verdict.REJECT, "duplicate")


def test_refused_replies_are_never_rendered(monkeypatch):
    rendered = []
    monkeypatch.setattr(
        "comments.moderation.render_comment", lambda text: rendered.append(text) or text
    )
    rules = [Flood(limit=0), TooManyLinks(limit=2)]

    outcome = moderate(submission(body="https://a.example https://b.example"), rules)

    assert outcome.refusal.rule == "flood"
    assert rendered == []


def test_the_flood_window_expires(settings, counter_clock):
    settings.COMMENTS_FLOOD_SECONDS = 60
    count_reply("203.0.113.9")
    assert count_reply("203.0.113.9") == 2

    counter_clock.now += 60

    assert count_reply("203.0.113.9") == 1


@pytest.mark.parametrize(
    ("kind", "value", "fields", "matches"),
    [
        ("word", "casino", {"body": "Visit my Casino today"}, True),
        ("word", "casino", {"body": "casinos are not the word"}, False),
        ("word", "free money", {"body": "Get FREE MONEY now"}, True),
        ("word", "casino", {"author_name": "Casino King"}, True),
        ("email", "troll@example.org", {"author_email": "troll@example.org"}, True),
        ("email", "troll@example.org", {"author_email": "ada@example.org"}, False),
        ("domain", "spam.example", {"author_email": "x@spam.example"}, True),
        ("domain", "spam.example", {"author_email": "x@mail.spam.example"}, True),
        ("domain", "spam.example", {"author_email": "x@notspam.example"}, False),
        ("domain", "spam.example", {"author_url": "https://www.spam.example/page"}, True),
        ("domain", "spam.example", {"body": "see http://spam.example/offer"}, True),
        ("domain", "spam.example", {"body": "write to www.SPAM.example."}, True),
        ("domain", "spam.example", {"body": "spam.example.org is someone else"}, False),
        ("domain", "example.com", {"body": "see https://news.example.com/a"}, True),
        ("ip", "203.0.113.9", {"ip_address": "203.0.113.9"}, True),
        ("ip", "203.0.113.0/24", {"ip_address": "203.0.113.200"}, True),
        ("ip", "203.0.113.0/24", {"ip_address": "198.51.100.1"}, False),
        ("ip", "2001:db8::/32", {"ip_address": "2001:db8:ffff::1"}, True),
    ],
)
def test_blocklist_kinds(kind, value, fields, matches):
    BlockedTermFactory(kind=kind, value=value, action=BlockedTerm.Action.HOLD)
    body = fields.pop("body", "An ordinary reply.")

    decision = Blocklist().check(submission(body=body, **fields))

    assert verdict_and_rule(decision) == ((Verdict.HOLD, "blocklist") if matches else None)


def test_blocklist_spam_action_beats_hold():
    BlockedTermFactory(kind="word", value="casino", action="hold")
    BlockedTermFactory(kind="ip", value="203.0.113.0/24", action="spam")

    decision = Blocklist().check(submission(body="casino"))

    assert decision.verdict == Verdict.SPAM
    assert "casino" in decision.detail
    assert "203.0.113.0/24" in decision.detail


def test_first_time_author_is_held_until_a_reply_from_this_browser_is_approved():
    pending = CommentFactory(author_email="ada@example.org", status=Comment.Status.PENDING)
    approved = CommentFactory(author_email="ada@example.org")
    someone_else = CommentFactory(author_email="bo@example.org")

    def decision(*earlier, **fields):
        return verdict_and_rule(
            FirstTimeAuthor().check(submission(earlier_comment_ids=frozenset(earlier), **fields))
        )

    assert decision() == (Verdict.HOLD, "first-time-author")
    assert decision(pending.pk) == (Verdict.HOLD, "first-time-author")
    assert decision(someone_else.pk) == (Verdict.HOLD, "first-time-author")
    assert decision(approved.pk) is None
    assert decision(approved.pk, author_email="bo@example.org") == (
        Verdict.HOLD,
        "first-time-author",
    )


class Says:
    def __init__(self, verdict):
        self.slug = f"says-{verdict.name.lower()}"
        self.verdict = verdict
        self.calls = 0

    def check(self, submission):
        self.calls += 1
        return Decision(self.verdict, self.slug, "test")


class Silent:
    slug = "silent"

    def check(self, submission):
        return None


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        ([Verdict.APPROVE, Verdict.HOLD], Verdict.HOLD),
        ([Verdict.HOLD, Verdict.SPAM, Verdict.APPROVE], Verdict.SPAM),
        ([Verdict.SPAM, Verdict.HOLD], Verdict.SPAM),
        ([Verdict.HOLD, Verdict.REJECT], Verdict.REJECT),
        ([Verdict.APPROVE], Verdict.APPROVE),
    ],
)
def test_strictest_verdict_wins_and_every_decision_is_kept(verdicts, expected):
    rules = [Says(verdict) for verdict in verdicts]

    outcome = moderate(submission(), rules=rules)

    assert outcome.verdict == expected
    assert [reason["rule"] for reason in outcome.reasons] == [rule.slug for rule in rules]


def test_a_refusal_stops_the_review():
    later = Says(Verdict.HOLD)

    outcome = moderate(submission(), rules=[Says(Verdict.REJECT), later])

    assert outcome.refusal.rule == "says-reject"
    assert later.calls == 0


@pytest.mark.parametrize(
    ("policy", "returning", "expected"),
    [
        ("none", False, (Verdict.APPROVE, "policy")),
        ("all", True, (Verdict.HOLD, "policy")),
        ("first", False, (Verdict.HOLD, "first-time-author")),
        ("first", True, (Verdict.APPROVE, "returning-author")),
    ],
)
def test_site_policy_decides_when_no_rule_speaks(settings, policy, returning, expected):
    settings.COMMENTS_MODERATION = policy
    earlier = frozenset()
    if returning:
        earlier = frozenset({CommentFactory(author_email="ada@example.org").pk})

    outcome = moderate(submission(earlier_comment_ids=earlier), rules=[Silent()])

    assert (outcome.verdict, outcome.decisions[0].rule) == expected


def test_a_rule_that_speaks_overrides_the_policy(settings):
    settings.COMMENTS_MODERATION = "none"

    outcome = moderate(submission(), rules=[Says(Verdict.HOLD)])

    assert outcome.verdict == Verdict.HOLD
    assert [d.rule for d in outcome.decisions] == ["says-hold"]


def test_rules_come_from_settings(settings):
    settings.COMMENTS_RULES = ["comments.moderation.TooManyLinks"]
    settings.COMMENTS_MAX_LINKS = 0
    settings.COMMENTS_MODERATION = "none"

    outcome = moderate(submission(body="see https://example.org"))

    assert outcome.verdict == Verdict.HOLD
    assert outcome.reasons == [
        {"rule": "too-many-links", "verdict": "hold", "detail": "1 link; the limit is 0."}
    ]


def test_a_block_with_an_expiry_stops_matching_after_it():
    from datetime import UTC, datetime, timedelta

    expiry = datetime.fromtimestamp(NOW, tz=UTC) + timedelta(days=7)
    BlockedTermFactory(kind="email", value="ada@example.org", action="spam", expires_at=expiry)
    rule = Blocklist()

    during = rule.check(submission())
    after = rule.check(replace(submission(), received_at=NOW + 7 * 24 * 3600 + 1))

    assert verdict_and_rule(during) == (Verdict.SPAM, "blocklist")
    assert after is None
