"""Readers recommend published replies (no down-votes) and sort a discussion by
oldest, newest or most recommended. Counts may lag a few seconds on shared
pages; who recommended what is never shown."""

import base64
import re
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.cookies import READER_COOKIE
from comments.models import Comment, Recommendation
from tests.comments.helpers import sent_from
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def recommend_url(article, query=""):
    return reverse("comments:recommend", args=[article.slug]) + query


def press(client, comment, query="", **extra):
    """What a browser sends when its reader presses Recommend under `comment`."""
    return client.post(recommend_url(comment.article, query), {"comment": comment.pk}, **extra)


def reader(address="198.51.100.7"):
    return Client(REMOTE_ADDR=address)


def count(comment) -> int:
    return Comment.objects.get(pk=comment.pk).recommendations


def shown_count(html: str, comment) -> str:
    """What the page says of `comment`'s recommendations ("" for none)."""
    item = html.split(f'id="comment-{comment.pk}"', 1)[1].split("</article>", 1)[0]
    found = re.search(r'class="comment-recommendations">([^<]*)', item)
    return found.group(1) if found else ""


@pytest.fixture
def reply():
    return CommentFactory(body="A reply worth reading.")


# --- Recommending ------------------------------------------------------------------


def test_a_reader_recommends_a_reply_then_takes_it_back(reply):
    browser = reader()
    page = browser.get(reply.article.get_absolute_url()).content.decode()

    first = press(browser, reply)
    after_first = browser.get(first["Location"]).content.decode()
    second = press(browser, reply)
    after_second = browser.get(second["Location"]).content.decode()

    assert f'action="{recommend_url(reply.article)}"' in page
    assert f'<button name="comment" value="{reply.pk}" class="comment-recommend"' in page
    assert shown_count(page, reply) == ""  # no count until there is one
    assert first.status_code == 303
    assert first["Location"] == f"{reply.article.get_absolute_url()}#comment-{reply.pk}"
    assert "You recommend this reply. Press Recommend again to take it back." in after_first
    assert shown_count(after_first, reply) == "1 recommendation"
    assert "You no longer recommend this reply." in after_second
    assert shown_count(after_second, reply) == ""
    assert count(reply) == 0
    assert not Recommendation.objects.exists()


def test_the_reader_goes_back_to_the_page_and_order_they_pressed_from(reply):
    response = press(reader(), reply, "?cpage=1&sort=newest&junk=1")

    assert response["Location"] == (
        f"{reply.article.get_absolute_url()}?sort=newest#comment-{reply.pk}"
    )


def test_one_browser_counts_once_however_often_it_asks(api, reply):
    url = f"/api/v1/comments/{reply.pk}/recommendation/"

    answers = [api.post(url) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["recommendations"] for a in answers] == [1, 1, 1]
    assert all(a.json()["recommended"] for a in answers)
    assert answers[0]["Cache-Control"] == "private, no-store"
    assert count(reply) == 1
    taken_back = api.delete(url)
    assert taken_back.json() == {
        "recommended": False,
        "recommendations": 0,
        "message": "You no longer recommend this reply.",
    }
    assert count(reply) == 0


def test_many_cookies_from_one_address_count_up_to_its_bound(settings, reply):
    settings.COMMENTS_RECOMMENDATIONS_PER_ADDRESS = 3
    # Six fresh browsers (or one clearing its cookies) on one address...
    answers = [press(reader(), reply) for _ in range(6)]
    # ...and one subscriber's IPv6 addresses, in several /64s of one /48.
    subscriber = [press(reader(f"2001:db8:7:{n}::1"), reply) for n in range(5)]

    assert count(reply) == 6
    assert Recommendation.objects.count() == 6
    refused = press(reader(), reply, follow=True).content.decode()
    assert "as many recommendations as we count from your network" in refused
    assert all(a.status_code == 303 for a in answers + subscriber)


def test_browsers_at_different_addresses_all_count(reply):
    for number in range(8):
        press(reader(f"198.51.100.{number + 10}"), reply)

    assert count(reply) == 8


def test_a_browser_with_a_forged_key_is_given_a_real_one(reply):
    browser = reader()
    browser.cookies[READER_COOKIE] = "<script>"

    response = press(browser, reply)

    key = response.cookies[READER_COOKIE].value
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", key)
    assert response.cookies[READER_COOKIE]["httponly"]
    assert count(reply) == 1


def test_an_author_cannot_recommend_their_own_reply(client, reply):
    other = CommentFactory(article=reply.article)
    page = sent_from(client, reply).get(reply.article.get_absolute_url()).content.decode()

    refused = press(client, reply, follow=True).content.decode()

    assert f'value="{reply.pk}" class="comment-recommend"' not in page  # no button
    assert f'value="{other.pk}" class="comment-recommend"' in page
    assert "You cannot recommend your own reply." in refused
    assert count(reply) == 0


@pytest.mark.parametrize("status", ["pending", "spam", "removed", "deleted"])
def test_a_reply_readers_cannot_see_cannot_be_recommended(status):
    hidden = CommentFactory(status=status)

    response = press(reader(), hidden)

    assert response.status_code == 404
    assert count(hidden) == 0
    assert not Recommendation.objects.exists()


def test_a_reply_is_recommended_only_under_its_own_article(reply):
    other = ArticleFactory()

    response = reader().post(recommend_url(other), {"comment": reply.pk})

    assert response.status_code == 404
    assert count(reply) == 0


def test_under_a_draft_article_nothing_can_be_recommended():
    draft = ArticleFactory(status="draft", published_at=None)
    hidden = CommentFactory(article=draft)

    page = press(reader(), hidden)
    api = reader().post(f"/api/v1/comments/{hidden.pk}/recommendation/")

    assert (page.status_code, api.status_code) == (404, 404)
    assert count(hidden) == 0


def test_a_closed_discussion_keeps_its_counts_and_takes_no_more(client):
    article = ArticleFactory(allow_comments=False)
    reply = CommentFactory(article=article)
    Comment.objects.filter(pk=reply.pk).update(recommendations=4)

    page = client.get(article.get_absolute_url()).content.decode()
    refused = press(reader(), reply, follow=True).content.decode()
    api = reader().post(f"/api/v1/comments/{reply.pk}/recommendation/")

    assert recommend_url(article) not in page
    assert 'class="comment-recommend"' not in page
    assert shown_count(page, reply) == "4 recommendations"
    assert "Comments are closed for this article." in refused
    assert api.status_code == 403
    assert count(reply) == 4


@pytest.mark.parametrize("sent", [{}, {"comment": ""}, {"comment": "1e3"}, {"comment": "9" * 30}])
def test_a_press_without_a_readable_comment_is_a_404(reply, sent):
    response = reader().post(recommend_url(reply.article), sent)

    assert response.status_code == 404
    assert count(reply) == 0


def test_recommending_is_a_post(client, reply):
    assert client.get(recommend_url(reply.article)).status_code == 405
    assert count(reply) == 0


def test_recommendations_from_one_address_are_rate_limited(settings, reply):
    settings.COMMENTS_RECOMMEND_RATE = "3/hour"
    others = CommentFactory.create_batch(3, article=reply.article)
    browser = reader()
    for comment in others:
        press(browser, comment)

    page = press(browser, reply, follow=True).content.decode()
    api = reader().post(f"/api/v1/comments/{reply.pk}/recommendation/")

    assert "You are recommending faster than we allow." in page
    assert api.status_code == 429
    assert count(reply) == 0
    assert [count(c) for c in others] == [1, 1, 1]


def test_the_form_is_protected_against_cross_site_posts(reply):
    browser = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.7")

    response = press(browser, reply)

    assert response.status_code == 403
    assert count(reply) == 0


def test_the_button_carries_the_readers_own_token_on_a_shared_page(reply):
    first = Client(enforce_csrf_checks=True)
    second = Client(enforce_csrf_checks=True)
    url = reply.article.get_absolute_url()

    first.get(url)  # makes the shared copy
    html = second.get(url).content.decode()  # served from it
    # One form, which every button on the page sends.
    assert html.count('<form id="recommend"') == 1
    token = re.search(
        r'<form id="recommend" method="post" action="[^"]*"><input type="hidden" '
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        html,
    ).group(1)
    response = second.post(
        recommend_url(reply.article), {"csrfmiddlewaretoken": token, "comment": reply.pk}
    )

    assert response.status_code == 303
    assert count(reply) == 1
    # Back on the page (its copy again), the same browser's next token still works.
    html = second.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    again = second.post(
        recommend_url(reply.article), {"csrfmiddlewaretoken": token, "comment": reply.pk}
    )
    assert again.status_code == 303
    assert count(reply) == 0


# --- Counts on shared pages lag, within a bound ----------------------------------------


def test_a_burst_of_recommendations_remakes_the_page_once_per_slice(
    settings, versions_clock, reply
):
    clock = versions_clock
    settings.COMMENTS_RECOMMENDATIONS_LAG = 10
    readers = Client()
    url = reply.article.get_absolute_url()
    before = readers.get(url)

    services.recommend(reply.pk, browser="browser-number-one-key-00", ip_address="192.0.2.1")
    first = readers.get(url)
    clock.now += 3
    services.recommend(reply.pk, browser="browser-number-two-key-00", ip_address="192.0.2.2")
    same_slice = readers.get(url)
    clock.now += 7  # the next slice
    next_slice = readers.get(url)
    clock.now += 10  # still for a whole lag: the counts' own version names the page again
    settled = readers.get(url)

    assert shown_count(before.content.decode(), reply) == ""
    assert shown_count(first.content.decode(), reply) == "1 recommendation"
    assert shown_count(same_slice.content.decode(), reply) == "1 recommendation"  # lags
    assert shown_count(next_slice.content.decode(), reply) == "2 recommendations"
    assert shown_count(settled.content.decode(), reply) == "2 recommendations"
    assert count(reply) == 2


def test_the_recommender_sees_the_new_count_at_once(settings, versions_clock, reply):
    settings.COMMENTS_RECOMMENDATIONS_LAG = 10
    url = reply.article.get_absolute_url()
    Client().get(url)
    press(reader(), reply)
    browser = reader("198.51.100.8")
    browser.get(url)

    response = press(browser, reply)
    own = browser.get(response["Location"]).content.decode()  # with its message: personal

    assert shown_count(own, reply) == "2 recommendations"


def test_with_no_lag_counts_are_current_on_every_shared_answer(settings, api, reply):
    settings.COMMENTS_RECOMMENDATIONS_LAG = 0
    url = f"/api/v1/articles/{reply.article.slug}/comments/"
    api.get(url)

    services.recommend(reply.pk, browser="browser-number-one-key-00", ip_address="192.0.2.1")

    assert api.get(url).json()["results"][0]["recommendations"] == 1
    assert api.get(f"/api/v1/comments/{reply.pk}/").json()["recommendations"] == 1
    assert api.get("/api/v1/comments/").json()["results"][0]["recommendations"] == 1


def test_a_recommendation_leaves_the_rest_of_the_site_cached(settings, api, reply):
    settings.COMMENTS_RECOMMENDATIONS_LAG = 0
    feed = reverse("comments:article-feed", args=[reply.article.slug])
    article_api = f"/api/v1/articles/{reply.article.slug}/"
    etags = {url: api.get(url)["ETag"] for url in (feed, article_api, "/api/v1/articles/")}

    services.recommend(reply.pk, browser="browser-number-one-key-00", ip_address="192.0.2.1")

    assert {url: api.get(url)["ETag"] for url in etags} == etags


# --- Sorting -----------------------------------------------------------------------


@pytest.fixture
def discussion(settings):
    """Four threads, two per page: the second oldest is the most recommended."""
    settings.COMMENTS_PER_PAGE = 2
    article = ArticleFactory()
    start = timezone.now() - timedelta(hours=5)
    roots = [
        CommentFactory(article=article, created_at=start + timedelta(hours=n)) for n in range(4)
    ]
    answer = CommentFactory(article=article, parent=roots[0], created_at=start + timedelta(hours=4))
    for root, recommendations in zip(roots, [1, 5, 0, 2], strict=True):
        Comment.objects.filter(pk=root.pk).update(recommendations=recommendations)
    return article, roots, answer


def order_on(client, url) -> list[int]:
    html = client.get(url).content.decode()
    return [int(pk) for pk in re.findall(r'<li id="comment-(\d+)"', html)]


@pytest.mark.parametrize(
    ("query", "first_page", "second_page"),
    [
        ("", [0, "answer", 1], [2, 3]),
        ("sort=oldest", [0, "answer", 1], [2, 3]),
        ("sort=newest", [3, 2], [1, 0, "answer"]),
        ("sort=recommended", [1, 3], [0, "answer", 2]),
    ],
)
def test_each_order_sorts_threads_and_keeps_answers_under_them(
    client, discussion, query, first_page, second_page
):
    article, roots, answer = discussion

    def ids(positions):
        return [answer.pk if p == "answer" else roots[p].pk for p in positions]

    url = article.get_absolute_url()
    separator = "&" if query else ""
    assert order_on(client, f"{url}?{query}") == ids(first_page)
    assert order_on(client, f"{url}?{query}{separator}cpage=2") == ids(second_page)


def test_the_reader_lands_where_the_reply_moved_in_the_order(discussion):
    article, roots, _ = discussion
    # Most recommended, two per page: [1, 3] then [0, 2]; roots[0] overtakes roots[3].

    response = press(reader(), roots[0], "?cpage=2&sort=recommended")

    assert (
        response["Location"]
        == f"{article.get_absolute_url()}?sort=recommended#comment-{roots[0].pk}"
    )


def test_links_on_a_sorted_page_keep_the_order(client, discussion):
    article, _, answer = discussion
    url = article.get_absolute_url()

    html = client.get(f"{url}?sort=recommended&cpage=2").content.decode()

    # Page links, permalinks, reply links and Recommend buttons stay in this order.
    assert f'href="{url}?cpage=2&amp;sort=recommended#comments" aria-current="page"' in html
    assert f'href="?cpage=2&amp;sort=recommended#comment-{answer.pk}"' in html
    assert f'href="?cpage=2&amp;sort=recommended&amp;replytocom={answer.pk}#respond"' in html
    assert f'action="{recommend_url(article, "?cpage=2&amp;sort=recommended")}"' in html
    # The order links, the current one marked.
    assert '<a class="me-2 fw-semibold text-body" href="' in html
    assert f'href="{url}?sort=recommended#comments" aria-current="true">Most recommended' in html
    assert f'href="{url}?sort=newest#comments"' in html
    assert f'href="{url}#comments"' in html


def test_editors_picks_link_to_their_place_in_the_current_order(client, discussion, moderator):
    article, roots, _ = discussion
    services.pick(Comment.objects.get(pk=roots[0].pk), actor=moderator)

    oldest = client.get(article.get_absolute_url()).content.decode()
    recommended = client.get(f"{article.get_absolute_url()}?sort=recommended").content.decode()

    assert f'href="{article.get_absolute_url()}#comment-{roots[0].pk}"' in oldest
    assert (
        f'href="{article.get_absolute_url()}?cpage=2&amp;sort=recommended#comment-{roots[0].pk}"'
        in recommended
    )


def test_a_permalink_finds_its_comment_in_the_default_order(client, discussion):
    article, roots, _ = discussion

    response = client.get(reverse("comments:permalink", args=[article.slug, roots[3].pk]))

    assert response["Location"] == f"{article.get_absolute_url()}?cpage=2#comment-{roots[3].pk}"


@pytest.mark.parametrize(
    ("query", "status"),
    [("sort=best", 404), ("sort=Newest", 404), ("sort=", 200), ("sort=newest&sort=oldest", 200)],
)
def test_an_unknown_order_is_not_a_page(client, discussion, query, status):
    article, _, _ = discussion

    response = client.get(f"{article.get_absolute_url()}?{query}")

    assert response.status_code == status


def test_the_default_order_named_is_the_same_shared_page(client, discussion):
    article, _, _ = discussion
    # Closed: no form, so the page has validators (an open one is each reader's own).
    Article.objects.filter(pk=article.pk).update(allow_comments=False)
    url = article.get_absolute_url()

    plain = client.get(url)
    named = client.get(f"{url}?sort=oldest")
    other = client.get(f"{url}?sort=newest")

    assert plain["ETag"] == named["ETag"] != other["ETag"]
    assert client.get(f"{url}?sort=newest", HTTP_IF_NONE_MATCH=other["ETag"]).status_code == 304


def test_a_placeholders_own_count_does_not_lift_its_thread(client, discussion):
    article, roots, _ = discussion
    Comment.objects.filter(pk=roots[0].pk).update(status="removed", recommendations=99)

    assert order_on(client, f"{article.get_absolute_url()}?sort=recommended")[:2] == [
        roots[1].pk,
        roots[3].pk,
    ]


@pytest.mark.parametrize("busy", [False, True])
@pytest.mark.parametrize("sort", ["oldest", "recommended"])
def test_a_busy_discussion_costs_the_article_page_no_query(
    client, django_assert_num_queries, settings, moderator, busy, sort
):
    settings.NEWSROOM_SHARED_CACHE = False  # measure the work behind a cache miss
    article = ArticleFactory()
    comments = CommentFactory.create_batch(6, article=article)
    if busy:  # recommendations, reports and a pick
        for number, comment in enumerate(comments[:4]):
            services.recommend(comment.pk, browser=f"browser-{number:020}", ip_address="192.0.2.1")
        for number in range(2):
            services.report(comments[4].pk, reason="spam", ip_address=f"192.0.2.{number + 1}")
        services.pick(comments[5], actor=moderator)

    # The content versions, the article with its section and author, its tags, the
    # navigation, the discussion's shape (counts and picks), the page's comments.
    with django_assert_num_queries(6):
        response = client.get(f"{article.get_absolute_url()}?sort={sort}")
    assert response.status_code == 200


@pytest.mark.parametrize("ordering", ["oldest", "newest", "recommended"])
def test_each_ordering_costs_the_api_the_same_queries(
    api, django_assert_num_queries, settings, discussion, ordering
):
    settings.NEWSROOM_SHARED_CACHE = False
    article, _, _ = discussion

    # The content versions, the public article's id, the page of comments.
    with django_assert_num_queries(3):
        response = api.get(f"/api/v1/articles/{article.slug}/comments/", {"ordering": ordering})
    assert len(response.json()["results"]) == 5


# --- The API -------------------------------------------------------------------------


def api_ids(response):
    return [item["id"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        # Flat, replies among the rest: `parent` rebuilds the threads.
        ("", [0, 1, 2, 3, "answer"]),
        ("oldest", [0, 1, 2, 3, "answer"]),
        ("newest", ["answer", 3, 2, 1, 0]),
        ("recommended", [1, 3, 0, 2, "answer"]),
    ],
)
def test_the_api_lists_in_each_order(api, discussion, ordering, expected):
    article, roots, answer = discussion
    params = {"ordering": ordering} if ordering else {}

    response = api.get(f"/api/v1/articles/{article.slug}/comments/", params)

    assert api_ids(response) == [answer.pk if p == "answer" else roots[p].pk for p in expected]
    counts = {"answer": 0, 0: 1, 1: 5, 2: 0, 3: 2}
    assert [item["recommendations"] for item in response.json()["results"]] == [
        counts[p] for p in expected
    ]


def test_the_api_pages_by_cursor_through_the_most_recommended(api, discussion):
    article, roots, answer = discussion
    url = f"/api/v1/articles/{article.slug}/comments/?ordering=recommended&page_size=2"

    seen = []
    while url:
        page = api.get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = page["next"]

    assert seen == [roots[1].pk, roots[3].pk, roots[0].pk, roots[2].pk, answer.pk]


@pytest.mark.parametrize("ordering", ["best", "-recommendations", "author_email"])
def test_the_api_refuses_an_unknown_ordering(api, discussion, ordering):
    article, _, _ = discussion

    response = api.get(f"/api/v1/articles/{article.slug}/comments/", {"ordering": ordering})

    assert response.status_code == 400
    assert "ordering" in response.json()


def test_a_recommended_cursor_with_a_forged_position_is_a_400(api, discussion):
    article, _, _ = discussion
    url = f"/api/v1/articles/{article.slug}/comments/?ordering=recommended&page_size=2"
    cursor = api.get(url).json()["next"].split("cursor=")[1].split("&")[0]
    decoded = parse_qs(base64.b64decode(unquote(cursor)).decode())
    decoded["p"] = ["2026-01-01T00:00:00Z"]
    forged = base64.b64encode(urlencode(decoded, doseq=True).encode()).decode()

    response = api.get(f"{url}&cursor={forged}")

    assert response.status_code == 400
    assert "cursor" in response.json()


def test_an_ordered_api_answer_is_shared_and_validated(api, discussion):
    article, _, _ = discussion
    url = f"/api/v1/articles/{article.slug}/comments/?ordering=newest"

    first = api.get(url)
    again = api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["Cache-Control"].startswith("public")
    assert again.status_code == 304


# --- The admin -----------------------------------------------------------------------


def test_moderators_see_how_many_readers_recommend_a_reply(client, moderator, reply):
    for number in range(3):
        services.recommend(reply.pk, browser=f"browser-{number:020}", ip_address="192.0.2.1")
    client.force_login(moderator)

    queue = client.get("/admin/comments/comment/?status=approved").content.decode()
    details = client.get(f"/admin/comments/comment/{reply.pk}/change/").content.decode()

    assert "recommended by 3 readers" in queue
    assert re.search(r"Recommendations:</label>\s*<div class=\"readonly\">3</div>", details)


def test_the_most_recommended_pages_through_more_than_a_thousand_equal_counts(api):
    # DRF's cursors tell equal positions apart by an offset, which stops at 1,000.
    article = ArticleFactory()
    first = CommentFactory(article=article)
    moment = first.created_at
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name="Reader",
            author_email="reader@example.org",
            body="Equal.",
            body_html="<p>Equal.</p>",
            status="approved",
            created_at=moment,
            moderated_at=moment,
        )
        for _ in range(1_100)
    )
    Comment.objects.filter(pk=first.pk).update(recommendations=3)
    url = f"/api/v1/articles/{article.slug}/comments/?ordering=recommended&page_size=200"

    seen = []
    for _ in range(10):
        page = api.get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
        if url is None:
            break

    assert url is None
    assert len(seen) == len(set(seen)) == 1_101
    assert seen[0] == first.pk
    assert seen[1:] == sorted(seen[1:])  # equal counts in the order they were posted


def test_across_all_articles_only_time_orders_are_offered(api, discussion):
    newest = api.get("/api/v1/comments/", {"ordering": "newest"})
    refused = api.get("/api/v1/comments/", {"ordering": "recommended"})

    assert newest.status_code == 200
    assert refused.status_code == 400
    assert "ordering" in refused.json()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "https://elsewhere.example"},
        {"HTTP_ORIGIN": "null"},  # a sandboxed frame or a data: page
    ],
)
def test_another_sites_page_cannot_write_through_the_api(api, reply, headers):
    # Each visitor's browser would post from the visitor's own address.
    recommend = api.post(f"/api/v1/comments/{reply.pk}/recommendation/", **headers)
    report = api.post(f"/api/v1/comments/{reply.pk}/report/", {"reason": "spam"}, **headers)
    comment = api.post(
        f"/api/v1/articles/{reply.article.slug}/comments/",
        {"name": "A", "email": "a@example.org", "body": "Posted by another site's page."},
        **headers,
    )
    read = api.get(f"/api/v1/comments/{reply.pk}/", **headers)

    assert (recommend.status_code, report.status_code, comment.status_code) == (403, 403, 403)
    assert recommend.json() == {"detail": "Requests from other sites' pages cannot write here."}
    assert read.status_code == 200
    assert count(reply) == 0
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},  # an API client: no browser headers at all
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_SEC_FETCH_SITE": "none"},
    ],
)
def test_api_clients_and_the_sites_own_pages_write_as_before(api, reply, headers):
    response = api.post(f"/api/v1/comments/{reply.pk}/recommendation/", **headers)

    assert response.status_code == 200
    assert count(reply) == 1
