"""`manage.py import_disqus`: threads found by their links (old addresses or
the articles' own), posts as threaded replies, unmatched threads listed; the
same idempotence, dry run and hardening as the WordPress import."""

import io

import pytest
from django.core.management import CommandError, call_command

from articles.models import Redirect
from comments.models import Comment, ModerationEvent
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

EXPORT = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <category dsq:id="1"><forum>oldsite</forum><title>General</title></category>
  <thread dsq:id="100">
    <id>1724 https://old.example.com/?p=1724</id>
    <forum>oldsite</forum>
    <link>https://old.example.com/2018/10/20/keyboard-navigation/</link>
    <title>Keyboard navigation</title>
  </thread>
  <thread dsq:id="200">
    <forum>oldsite</forum>
    <link>https://news.example.com/articles/budget-vote/</link>
  </thread>
  <thread dsq:id="300">
    <forum>oldsite</forum>
    <link>https://old.example.com/2019/01/01/never-moved/</link>
  </thread>
  <post dsq:id="1000">
    <message><![CDATA[<p>First thought.</p><p>Second <b>line</b><br>of it.</p>]]></message>
    <createdAt>2018-10-21T08:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><email>ann@example.org</email><name>Ann</name><isAnonymous>false</isAnonymous></author>
    <ipAddress>203.0.113.9</ipAddress>
    <thread dsq:id="100"/>
  </post>
  <post dsq:id="1002">
    <message><![CDATA[<p>An answer listed before its parent.</p>]]></message>
    <createdAt>2018-10-21T10:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Cy</name><isAnonymous>true</isAnonymous></author>
    <thread dsq:id="100"/>
    <parent dsq:id="1001"/>
  </post>
  <post dsq:id="1001">
    <message><![CDATA[<p>Bob answers Ann.</p>]]></message>
    <createdAt>2018-10-21T09:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>{spam}</isSpam>
    <author><email>not an address</email><name>Bob</name></author>
    <ipAddress>junk</ipAddress>
    <thread dsq:id="100"/>
    <parent dsq:id="1000"/>
  </post>
  <post dsq:id="2000">
    <message><![CDATA[<p>Deleted long ago.</p>]]></message>
    <createdAt>2020-01-01T00:00:00Z</createdAt>
    <isDeleted>true</isDeleted><isSpam>false</isSpam>
    <author><name>Di</name></author>
    <thread dsq:id="200"/>
  </post>
  <post dsq:id="3000">
    <message><![CDATA[<p>Under a thread nobody moved.</p>]]></message>
    <createdAt>2019-01-02T00:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Ed</name></author>
    <thread dsq:id="300"/>
  </post>
</disqus>
"""


@pytest.fixture
def articles():
    moved = ArticleFactory(slug="keyboard-navigation")
    Redirect.objects.create(old_path="/2018/10/20/keyboard-navigation/", article=moved)
    native = ArticleFactory(slug="budget-vote")
    return moved, native


def run(tmp_path, text=None, *options, spam="false") -> str:
    path = tmp_path / "disqus.xml"
    path.write_text(text if text is not None else EXPORT.format(spam=spam), encoding="utf-8")
    out = io.StringIO()
    call_command("import_disqus", str(path), *options, stdout=out)
    return out.getvalue()


def row(report: str, kind: str) -> list[int]:
    line = next(line for line in report.splitlines() if line.startswith(kind))
    return [int(cell) for cell in line[len(kind) :].split()]


def test_threads_are_found_by_old_address_or_own_address_and_the_rest_listed(tmp_path, articles):
    moved, native = articles

    report = run(tmp_path)

    assert row(report, "threads")[:2] == [2, 1]
    assert "https://old.example.com/2019/01/01/never-moved/" in report
    assert row(report, "comments") == [0, 0, 4, 0, 0, 1, 0]
    assert "thread matched no article (1)" in report
    assert not Comment.objects.filter(body__contains="nobody moved").exists()
    assert moved.comments.count() == 3
    assert native.comments.get().status == "removed"


def test_posts_keep_their_thread_dates_and_authors(tmp_path, articles):
    moved, _ = articles

    run(tmp_path)

    ann = moved.comments.get(author_name="Ann")
    bob = moved.comments.get(author_name="Bob")
    cy = moved.comments.get(author_name="Cy")
    assert bob.parent == ann
    assert cy.parent == bob  # listed before its parent, placed under it
    assert cy.depth == 2
    assert ann.body_html == "<p>First thought.</p><p>Second <b>line</b><br>of it.</p>"
    assert (ann.author_email, str(ann.ip_address)) == ("ann@example.org", "203.0.113.9")
    assert (bob.author_email, bob.ip_address) == ("", None)  # junk is not kept
    assert ann.created_at.isoformat() == "2018-10-21T08:00:00+00:00"
    assert ModerationEvent.objects.filter(reasons__0__rule="import").count() == 4


def test_importing_again_changes_nothing_and_a_newer_export_updates(tmp_path, articles):
    run(tmp_path)
    before = list(Comment.objects.order_by("pk").values())

    again = run(tmp_path)
    assert list(Comment.objects.order_by("pk").values()) == before
    assert row(again, "comments")[2:5] == [0, 0, 4]

    newer = run(tmp_path, None, spam="true")
    assert row(newer, "comments")[2:5] == [0, 1, 3]
    assert Comment.objects.get(author_name="Bob").status == "spam"
    assert Comment.objects.count() == 4


def test_a_dry_run_writes_nothing(tmp_path, articles):
    report = run(tmp_path, None, "--dry-run")

    assert "Dry run: nothing was written." in report
    assert row(report, "comments")[2] == 4
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        '<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY a "aaaa">]><disqus>&a;</disqus>',
        "<?xml version='1.0'?><rss><channel/></rss>",
        EXPORT[:900],
    ],
    ids=["entities", "wrong root", "truncated"],
)
def test_a_hostile_or_broken_export_is_refused_and_changes_nothing(tmp_path, articles, text):
    with pytest.raises(CommandError, match="Refused, nothing imported"):
        run(tmp_path, text)

    assert not Comment.objects.exists()


def test_a_post_that_names_itself_or_repeats_never_loops(tmp_path, articles):
    odd = EXPORT.replace(
        "</disqus>",
        """<post dsq:id="4000"><message>Me, answering me.</message>
        <createdAt>2018-10-22T00:00:00Z</createdAt><author><name>Fay</name></author>
        <thread dsq:id="100"/><parent dsq:id="4000"/></post>
        <post dsq:id="4000"><message>Again.</message><thread dsq:id="100"/></post>
        <post><message>No id.</message><thread dsq:id="100"/></post>
        </disqus>""",
    )

    first = run(tmp_path, odd.format(spam="false"))
    second = run(tmp_path, odd.format(spam="false"))

    fay = Comment.objects.get(author_name="Fay")
    assert (fay.parent, fay.depth) == (None, 0)
    assert "no id, a repeated id or a long one (2)" in first
    assert row(second, "comments")[2:5] == [0, 0, 5]
