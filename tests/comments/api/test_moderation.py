import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from comments.models import Comment
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/moderation/comments/"


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def people():
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    moderator = UserFactory(username="moderator", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    return {
        "reader": UserFactory(username="reader"),
        "editor": editor,
        "moderator": moderator,
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 401),
        ("bad-token", 401),
        ("reader", 403),
        ("editor", 403),
        ("moderator", 200),
        ("superuser", 200),
    ],
)
def test_permission_matrix_for_the_queue_and_actions(who, expected):
    users = people()
    comment = CommentFactory(status="pending")
    if who == "anonymous":
        client = APIClient()
    elif who == "bad-token":
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    else:
        client = token_client(users[who])

    listing = client.get(QUEUE)
    action = client.post(f"{QUEUE}{comment.pk}/approve/")

    assert (listing.status_code, action.status_code) == (expected, expected)
    comment.refresh_from_db()
    assert comment.status == ("approved" if expected == 200 else "pending")
    if expected == 401:
        assert listing["WWW-Authenticate"] == "Token"


def test_queue_lists_private_fields_and_history(moderator_api):
    comment = CommentFactory(
        status="pending",
        author_email="private@example.org",
        ip_address="203.0.113.4",
        user_agent="AgentSecret/1",
        moderation_reasons=[{"rule": "too-fast", "verdict": "hold", "detail": "Sent 1.0 s after."}],
    )
    CommentFactory(status="approved")
    from comments import services

    services.set_status(comment, "spam", actor=UserFactory(username="alice"), note="Obvious.")

    response = moderator_api.get(QUEUE, {"status": "spam"})

    (item,) = response.json()["results"]
    assert item["author_email"] == "private@example.org"
    assert item["ip_address"] == "203.0.113.4"
    assert item["user_agent"] == "AgentSecret/1"
    assert item["moderation_reasons"][0]["rule"] == "too-fast"
    assert item["history"] == [
        {
            "created_at": item["history"][0]["created_at"],
            "actor": "alice",
            "from_status": "pending",
            "to_status": "spam",
            "reasons": [],
            "note": "Obvious.",
        }
    ]
    assert item["moderated_by"] == "alice"


def test_queue_filters_by_status_newest_first(moderator_api):
    older = CommentFactory(status="pending")
    newer = CommentFactory(status="pending")
    CommentFactory(status="approved")

    results = moderator_api.get(QUEUE, {"status": "pending"}).json()["results"]

    assert [item["id"] for item in results] == [newer.pk, older.pk]
    assert moderator_api.get(QUEUE, {"status": "bogus"}).status_code == 400


@pytest.mark.parametrize("count", [10, 60])
def test_queue_queries_do_not_grow(moderator_api, moderator, django_assert_num_queries, count):
    from comments import services

    for comment in CommentFactory.create_batch(count, status="pending"):
        services.set_status(comment, "spam", actor=moderator)

    # Token with its user, the user's and the groups' permissions, the page with
    # articles and moderators, the history, the actors in it, the edits waiting,
    # the open reports.
    with django_assert_num_queries(8):
        response = moderator_api.get(QUEUE, {"status": "spam", "page_size": 200})
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("approve", "pending", "approved"),
        ("spam", "pending", "spam"),
        ("remove", "approved", "removed"),
        ("restore", "spam", "pending"),
    ],
)
def test_actions_record_the_moderator(moderator_api, moderator, action, start, end):
    comment = CommentFactory(status=start)

    response = moderator_api.post(
        f"{QUEUE}{comment.pk}/{action}/", {"note": "Checked."}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == end
    comment.refresh_from_db()
    assert comment.status == end
    event = comment.events.get()
    assert (event.actor, event.from_status, event.to_status, event.note) == (
        moderator,
        start,
        end,
        "Checked.",
    )


def test_repeating_an_action_changes_nothing(moderator_api):
    comment = CommentFactory(status="pending")

    moderator_api.post(f"{QUEUE}{comment.pk}/approve/")
    moderator_api.post(f"{QUEUE}{comment.pk}/approve/")

    assert comment.events.count() == 1


def test_action_on_missing_comment_is_404(moderator_api):
    assert moderator_api.post(f"{QUEUE}999999/approve/").status_code == 404


def test_session_authentication_requires_csrf():
    users = people()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users["moderator"])
    comment = CommentFactory(status="pending")

    assert client.get(QUEUE).status_code == 200
    refused = client.post(f"{QUEUE}{comment.pk}/approve/")

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_token_can_be_created_with_a_management_command(moderator):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("drf_create_token", moderator.username, stdout=out)

    key = Token.objects.get(user=moderator).key
    assert key in out.getvalue()
    assert token_client_with_key(key).get(QUEUE).status_code == 200


def token_client_with_key(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client
