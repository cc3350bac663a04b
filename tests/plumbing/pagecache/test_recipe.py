"""The recipe on views of its own: what is shared, under which name, with which headers."""

import time

import pytest
from django import forms
from django.http import HttpResponse, HttpResponseNotFound, QueryDict
from django.test import Client
from django.urls import path

from comments.api.views import ArticleCommentList
from plumbing.pagecache import versions
from plumbing.pagecache.params import APIParams, FormParams, PageForm, Query
from plumbing.pagecache.personal import csrf_token, is_shared_render, personal_cookie, shows
from plumbing.pagecache.recipe import Shared
from tests.outages import UNREACHABLE_CACHE

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.plumbing.pagecache.test_recipe")]

calls = []
TEST_COOKIE = personal_cookie("test_personal")


class ReplyLink(forms.Form):
    reply = forms.IntegerField(required=False)


@Shared(depends_on=lambda **kwargs: ["things"], params=FormParams(PageForm))
def listing(request):
    calls.append(request.META["QUERY_STRING"])
    return HttpResponse(f"page {request.GET.get('page', 1)} of things", content_type="text/plain")


@Shared(
    depends_on=lambda name: [f"thing:{name}"],
    params=FormParams(ReplyLink, unshared=frozenset({"reply"})),
)
def with_form(request, name):
    calls.append(name)
    if name == "missing":
        return HttpResponseNotFound("no such thing")
    return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{csrf_token(request)}">')


SHARED_COOKIE = personal_cookie("test_own_things")
asked = []


def needs_own(request, marks):
    """A reader's own thing is the one their cookie names: they need their own
    answer where the page shows it."""
    asked.append(marks)
    return f"thing:{request.COOKIES[SHARED_COOKIE]}" in marks


@Shared(depends_on=lambda name: [f"thing:{name}"])
def showing(request, name):
    calls.append(name)
    shows(request, f"thing:{name}")
    # A page kept for everyone never draws what a shared cookie holds.
    mine = not is_shared_render(request) and request.COOKIES.get(SHARED_COOKIE) == name
    return HttpResponse(f"{name}{' (yours: edit it)' if mine else ''}", content_type="text/plain")


showing.pagecache.share_with(SHARED_COOKIE, needs_own)

urlpatterns = [
    path("things/", listing),
    path("things/<slug:name>/", with_form),
    path("shown/<slug:name>/", showing),
]


@pytest.fixture(autouse=True)
def _fresh():
    calls.clear()
    asked.clear()
    versions.bump("things", "thing:one", "thing:missing")


def test_one_copy_serves_every_spelling_of_the_same_query():
    reader = Client()
    answers = [reader.get(f"/things/{query}") for query in ("?page=2", "?page=02", "?utm=x&page=2")]

    assert calls == ["page=2"]  # the view saw the canonical query, once
    assert {answer.content for answer in answers} == {b"page 2 of things"}
    assert len({answer["ETag"] for answer in answers}) == 1


def test_the_first_page_is_the_page_without_a_parameter():
    reader = Client()

    assert reader.get("/things/?page=1").content == reader.get("/things/").content
    assert calls == [""]


def test_an_invalid_value_is_left_to_the_view_and_never_kept():
    Client().get("/things/?page=none")
    Client().get("/things/?page=none")

    assert calls == ["page=none", "page=none"]


def test_a_new_version_makes_a_new_copy():
    first = Client().get("/things/")
    versions.bump("things")
    second = Client().get("/things/")

    assert calls == ["", ""]
    assert first["ETag"] != second["ETag"]


def test_shared_answers_say_anyone_may_keep_them_but_must_ask_again():
    answer = Client().get("/things/")

    assert answer["Cache-Control"] == "public, no-cache"
    assert answer["Vary"] == "Cookie"
    assert answer["Last-Modified"]


@pytest.mark.parametrize(
    "personal",
    [{"HTTP_AUTHORIZATION": "Token abc"}, {"HTTP_COOKIE": f"{TEST_COOKIE}=1"}],
    ids=["credentials", "registered cookie"],
)
def test_a_personal_request_gets_its_own_private_answer(personal):
    Client().get("/things/")

    answer = Client().get("/things/", **personal)

    assert calls == ["", ""]
    assert answer["Cache-Control"] == "private, no-cache"
    assert not answer.has_header("ETag")


def test_a_shared_cookie_gets_the_copy_when_the_page_shows_nothing_of_its_readers():
    versions.bump("thing:one")
    Client().get("/shown/one/")

    answer = Client().get("/shown/one/", HTTP_COOKIE=f"{SHARED_COOKIE}=two")

    assert calls == ["one"]  # the copy, not a render of its own
    assert asked == [frozenset({"thing:one"})]  # the marks the page noted when made
    assert answer.content == b"one"


def test_a_shared_cookie_gets_its_own_answer_where_the_page_shows_its_readers_thing():
    versions.bump("thing:one")
    Client().get("/shown/one/")

    answer = Client().get("/shown/one/", HTTP_COOKIE=f"{SHARED_COOKIE}=one")

    assert calls == ["one", "one"]
    assert answer.content == b"one (yours: edit it)"
    assert answer["Cache-Control"] == "private, no-cache"
    assert Client().get("/shown/one/").content == b"one"  # and the copy is still everyone's


def test_a_shared_cookie_before_any_copy_makes_the_copy_everyone_gets():
    versions.bump("thing:one")

    mine = Client().get("/shown/one/", HTTP_COOKIE=f"{SHARED_COOKIE}=two")
    everyone = Client().get("/shown/one/")

    assert calls == ["one"]  # one render, kept, and served to both
    assert mine.content == everyone.content == b"one"
    assert everyone["Cache-Control"] == "public, no-cache"


def test_a_shared_cookie_before_any_copy_gets_its_own_answer_where_the_copy_shows_its_thing():
    versions.bump("thing:one")

    mine = Client().get("/shown/one/", HTTP_COOKIE=f"{SHARED_COOKIE}=one")
    everyone = Client().get("/shown/one/")

    # The copy for everyone was made first (drawn without the reader's cookie), then
    # the reader's own answer: the next reader gets the copy.
    assert calls == ["one", "one"]
    assert mine.content == b"one (yours: edit it)"
    assert mine["Cache-Control"] == "private, no-cache"
    assert not mine.has_header("ETag")
    assert everyone.content == b"one"


def test_a_view_that_does_not_share_a_cookie_treats_it_as_personal():
    versions.bump("thing:one")
    Client().get("/things/one/")

    Client().get("/things/one/", HTTP_COOKIE=f"{SHARED_COOKIE}=two")

    assert calls == ["one", "one"]


def test_an_empty_personal_cookie_changes_nothing():
    Client().get("/things/")
    # What a client that kept a deleted cookie sends.
    Client().get("/things/", HTTP_COOKIE=f'{TEST_COOKIE}=""; sessionid=')

    assert calls == [""]


def test_an_unknown_cookie_changes_nothing():
    Client().get("/things/")
    Client().get("/things/", HTTP_COOKIE="tracking=yes")

    assert calls == [""]


def test_each_reader_gets_their_own_csrf_token_and_cookie_from_one_copy():
    one, two = Client(), Client()
    first, second = one.get("/things/one/"), two.get("/things/one/")

    assert calls == ["one"]
    assert first.content != second.content
    assert two.cookies["csrftoken"].value  # the cookie to go with it
    assert csrf_token.placeholder().encode() not in second.content


def test_an_unshared_parameter_gets_an_answer_of_its_own_each_time():
    Client().get("/things/one/?reply=3")
    Client().get("/things/one/?reply=3")

    assert calls == ["one", "one"]


def test_errors_are_never_kept():
    assert Client().get("/things/missing/").status_code == 404
    assert Client().get("/things/missing/").status_code == 404

    assert calls == ["missing", "missing"]


def test_content_no_service_ever_wrote_is_never_kept():
    Client().get("/things/unversioned/")
    answer = Client().get("/things/unversioned/")

    assert calls == ["unversioned", "unversioned"]
    assert not answer.has_header("ETag")


def test_another_host_name_or_port_is_answered_but_never_kept():
    for port in (1, 2, 1):
        Client().get("/things/", HTTP_HOST=f"testserver:{port}")
    Client().get("/things/")

    assert calls == ["", "", "", ""]


def test_a_matching_etag_is_a_304():
    etag = Client().get("/things/")["ETag"]

    answer = Client().get("/things/", HTTP_IF_NONE_MATCH=f"W/{etag}")

    assert answer.status_code == 304
    assert answer["ETag"] == etag
    assert calls == [""]


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_IF_NONE_MATCH": "*"},
        {"HTTP_IF_MODIFIED_SINCE": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ],
)
def test_a_date_or_a_star_is_a_304_only_for_an_answer_the_site_holds(header):
    assert Client().get("/things/missing/", **header).status_code == 404
    assert Client().get("/things/", **header).status_code == 200

    assert Client().get("/things/", **header).status_code == 304


def test_with_copies_off_every_request_is_made_but_keeps_its_validators(settings):
    settings.NEWSROOM_SHARED_CACHE = False
    etag = Client().get("/things/")["ETag"]

    assert Client().get("/things/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    Client().get("/things/")
    assert calls == ["", ""]


def test_answers_stay_right_without_the_shared_cache(settings):
    settings.CACHES = UNREACHABLE_CACHE

    first, again = Client().get("/things/"), Client().get("/things/")
    versions.bump("things")
    changed = Client().get("/things/")

    assert [first.status_code, again.status_code, changed.status_code] == [200] * 3
    # Made once, then served from this process's own copy, until the version moved:
    # versions live in the database, not in the cache that went away.
    assert calls == ["", ""]
    assert first["ETag"] == again["ETag"] != changed["ETag"]


def test_copies_without_reader_values_leave_before_the_rest_of_the_stack():
    Client().get("/things/")

    answer = Client().get("/things/")

    # Nothing below the early middleware ran: no CSRF cookie, no session work.
    assert not answer.cookies
    assert answer["Content-Length"] == str(len(answer.content))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", Query("", True)),
        ("page_size=200", Query("page_size=200", True)),
        ("page_size=1000", Query("page_size=200", True)),  # the maximum
        ("page_size=junk", Query("", True)),  # the default, as the paginator reads it
        ("page_size=50", Query("", True)),  # the default itself
        ("x=1&page_size=7", Query("page_size=7", True)),
        ("cursor=abc", Query("cursor=abc", False)),
        ("since=2026-01-01T00:00:00Z", Query("since=2026-01-01T00%3A00%3A00Z", False)),
        ("parent=5&page_size=7", Query("page_size=7&parent=5", False)),
    ],
)
def test_api_parameters_come_from_the_views_pagination_and_filters(query, expected):
    assert APIParams(ArticleCommentList).read(QueryDict(query)) == expected


def test_a_detail_view_has_no_page_to_pick():
    from comments.api.views import CommentDetail

    assert APIParams(CommentDetail).read(QueryDict("page_size=7")) == Query("", True)


def test_an_absurd_page_number_is_left_to_the_paginator():
    from articles.api.views import ArticleList

    assert APIParams(ArticleList).read(QueryDict("page=" + "9" * 5000)) is None
    assert Client().get("/things/?page=" + "9" * 5000).status_code == 200  # the view's own answer


def test_an_answer_with_a_reader_value_is_private_and_has_no_validators():
    answer = Client().get("/things/one/")
    again = Client().get("/things/one/", HTTP_IF_NONE_MATCH="*")

    for response in (answer, again):
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-cache"
        assert not response.has_header("ETag")
        assert not response.has_header("Last-Modified")


def test_a_version_from_a_clock_ahead_of_this_one_is_not_kept_yet():
    from plumbing.pagecache.models import Version

    Version.objects.filter(scope="things").update(changed=time.time() + 60)

    Client().get("/things/")
    Client().get("/things/")

    assert calls == ["", ""]


def test_a_change_of_settings_makes_new_copies(settings):
    first = Client().get("/things/")
    settings.COMMENTS_PER_PAGE = 7  # any setting may change what a page shows

    second = Client().get("/things/")

    assert calls == ["", ""]
    assert first["ETag"] != second["ETag"]


def test_what_made_the_answers_includes_all_of_the_projects_code_and_templates():
    from plumbing.pagecache.release import _files

    names = {path.name for path in _files()}

    assert {"store.py", "recipe.py", "services.py", "article_detail.html"} <= names
