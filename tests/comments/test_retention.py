"""Addresses and user agents are kept COMMENTS_IP_RETENTION_DAYS, then purged in
batches; the rules that look at recent traffic keep working."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments import services
from comments.models import Comment
from comments.retention import purge_personal_data
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def sent(days_ago: float, **fields) -> Comment:
    return CommentFactory(
        created_at=timezone.now() - timedelta(days=days_ago),
        ip_address=fields.pop("ip_address", "198.51.100.7"),
        user_agent=fields.pop("user_agent", "Mozilla/5.0 (Reader)"),
        **fields,
    )


def fresh(comment) -> Comment:
    return Comment.objects.get(pk=comment.pk)


def test_replies_older_than_the_limit_lose_their_address_and_user_agent(settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    old = [sent(31), sent(400, ip_address="2001:db8:5:6::1")]
    recent = sent(29)

    purged = purge_personal_data()

    assert purged.replies == 2
    for comment in map(fresh, old):
        assert (comment.ip_address, comment.user_agent, comment.ip_network) == (None, "", "")
        assert comment.purged_at is not None
    kept = fresh(recent)
    assert (kept.ip_address, kept.user_agent) == ("198.51.100.7", "Mozilla/5.0 (Reader)")
    assert kept.ip_network == "198.51.100.0/24"
    assert kept.purged_at is None


def test_moderators_may_keep_the_network(settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    settings.COMMENTS_KEEP_NETWORK = True
    four, six = sent(31), sent(31, ip_address="2001:db8:5:6::1")
    # A reply saved before networks were noted gets its own before the address goes.
    older = sent(90)
    Comment.objects.filter(pk=older.pk).update(ip_network="")

    purge_personal_data()

    assert [fresh(c).ip_network for c in (four, six, older)] == [
        "198.51.100.0/24",
        "2001:db8:5::/48",
        "198.51.100.0/24",
    ]
    assert all(fresh(c).ip_address is None for c in (four, six, older))


def test_the_purge_runs_in_batches_and_again_finds_nothing(settings, django_assert_num_queries):
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    for days in range(31, 36):
        sent(days)

    first = purge_personal_data(batch=2)
    # Expired data links and unconfirmed addresses go; then one look for a next
    # batch (empty), in a savepoint.
    with django_assert_num_queries(5):
        again = purge_personal_data(batch=2)

    assert (first.replies, first.batches) == (5, 3)
    assert (again.replies, again.batches) == (0, 0)
    assert Comment.objects.filter(ip_address__isnull=False).count() == 0


def test_a_limit_of_zero_keeps_everything(settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 0
    old = sent(4000)

    assert purge_personal_data().replies == 0
    assert fresh(old).ip_address == "198.51.100.7"


def test_a_new_reply_notes_its_network_when_saved(client):
    article = ArticleFactory()
    comment = services.submit_comment(
        article=article,
        name="Ada",
        email="ada@example.org",
        body="A reply with an address.",
        ip_address="2001:db8:1:2::3",
    )

    assert fresh(comment).ip_network == "2001:db8:1::/48"


def test_the_rules_still_see_recent_traffic_after_a_purge(settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    article = ArticleFactory()
    text = "The same words, sent twice."

    def send(ip):
        return services.submit_comment(
            article=article, name="Ada", email="ada@example.org", body=text, ip_address=ip
        )

    old = send("198.51.100.7")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    purge_personal_data()

    # The purged reply's sender is no longer known: the same text is taken again,
    # even from a client whose address cannot be read...
    again = send(None)
    # ...and the recent one still counts as a duplicate from its address.
    with pytest.raises(services.CommentRefused) as refused:
        send(None)

    assert again.pk != old.pk
    assert refused.value.rule == "duplicate"


def test_the_admin_says_whether_the_address_was_purged(client, moderator, settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    settings.COMMENTS_KEEP_NETWORK = True
    old, recent = sent(31), sent(1)
    purge_personal_data()
    client.force_login(moderator)

    purged_page = client.get(f"/admin/comments/comment/{old.pk}/change/").content.decode()
    kept_page = client.get(f"/admin/comments/comment/{recent.pk}/change/").content.decode()

    assert "Purged on" in purged_page
    assert "(network 198.51.100.0/24 kept)" in purged_page
    assert "198.51.100.7" not in purged_page
    assert "Kept until about" in kept_page
    assert "198.51.100.7" in kept_page


def test_the_moderation_api_shows_the_network_and_when_it_was_purged(moderator_api, settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    settings.COMMENTS_KEEP_NETWORK = True
    old = sent(31, status="pending")
    purge_personal_data()

    (item,) = moderator_api.get("/api/v1/moderation/comments/?status=pending").json()["results"]

    assert item["id"] == old.pk
    assert (item["ip_address"], item["user_agent"]) == (None, "")
    assert item["ip_network"] == "198.51.100.0/24"
    assert item["purged_at"] is not None


def test_the_command_purges_and_says_what_it_did(settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    sent(31)
    out = StringIO()

    call_command("purge_personal_data", "--batch", "10", stdout=out)

    assert "of 1 replies sent before" in out.getvalue()
    assert "in 1 batches" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("purge_personal_data", "--batch", "0")


def test_the_task_worker_can_run_the_purge(settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    old = sent(31)
    out = StringIO()

    call_command("purge_personal_data", "--enqueue", stdout=out)

    assert "Purge queued for the task worker" in out.getvalue()
    assert fresh(old).ip_address is None  # the immediate backend ran it at once
