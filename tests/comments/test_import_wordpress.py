"""`manage.py import_wordpress`: a real WordPress export becomes articles,
threaded replies and redirects; importing it again changes nothing; hostile
or broken files are refused before anything is written."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Redirect, Section, Tag
from comments.models import Comment, ModerationEvent
from tests.shared_data import shared_file

pytestmark = pytest.mark.django_db

SITE = "wpthemetestdata.wordpress.com"


@pytest.fixture(scope="module")
def export():
    return shared_file("wordpress-theme-unit-test.xml")


def run(path, *options) -> str:
    out = io.StringIO()
    call_command("import_wordpress", str(path), *options, stdout=out)
    return out.getvalue()


def row(report: str, kind: str) -> list[int]:
    """created, updated, unchanged, skipped, refused of one kind in the table."""
    line = next(line for line in report.splitlines() if line.startswith(kind))
    return [int(cell) for cell in line[len(kind) :].split()]


def everything() -> list:
    """What an import could change, as plain values."""
    return [
        list(Article.objects.order_by("pk").values()),
        list(Comment.objects.order_by("pk").values()),
        list(Redirect.objects.order_by("pk").values("old_path", "article", "to_feed")),
        list(Section.objects.order_by("pk").values()),
        list(Tag.objects.order_by("pk").values()),
        list(Article.tags.through.objects.order_by("pk").values()),
        ModerationEvent.objects.count(),
    ]


# --- The real export ----------------------------------------------------------------


def test_every_post_becomes_an_article_by_its_status(export):
    report = run(export)

    assert row(report, "articles") == [51, 0, 0, 0, 0]
    assert Article.objects.published().count() == 48
    scheduled = Article.objects.filter(status="published").exclude(
        pk__in=Article.objects.published()
    )
    assert list(scheduled.values_list("title", flat=True)) == ["Scheduled"]
    drafts = Article.objects.filter(status="draft")
    assert drafts.count() == 2  # the draft, and the password-protected post
    assert "password-protected: imported as a draft (1)" in report
    # Pages, attachments and menu items are not articles: skipped and counted.
    assert row(report, "other items") == [0, 0, 0, 129, 0]
    assert "other items, skipped: page (21)" in report
    assert "other items, skipped: attachment (38)" in report
    assert "other items, skipped: nav_menu_item (70)" in report


def test_an_article_keeps_its_slug_dates_author_section_and_tags(export):
    run(export)

    article = Article.objects.get(slug="keyboard-navigation")
    assert article.title == "Keyboard navigation"
    assert article.published_at == datetime(2018, 10, 21, 3, 3, 48, tzinfo=UTC)
    assert article.author.username == "wp-themereviewteam"
    assert not article.author.has_usable_password()
    assert article.display_byline != article.author.username
    assert "<strong>keyboard only</strong>" in article.body
    assert "wp:paragraph" not in article.body  # block comments go with the cleaning
    assert article.import_key == f"wordpress:{SITE}:post:1724"
    tagged = Article.objects.get(slug="markup-html-tags-and-formatting")
    assert tagged.section.slug == "classic"  # its first category
    assert tagged.tags.filter(slug="html").exists()


def test_captions_become_figures_and_other_shortcodes_are_dropped_and_counted(export):
    report = run(export)

    assert "shortcodes, dropped: gallery (12)" in report
    assert not Article.objects.filter(body__contains="[gallery").exists()
    assert not Article.objects.filter(body__contains="[caption").exists()
    assert Article.objects.filter(body__contains="<figcaption>").exists()


def test_all_32_comments_are_accounted_for_with_threads_and_statuses(export):
    report = run(export)

    created, _, _, skipped, refused = row(report, "comments")
    assert (created, skipped, refused) == (23, 9, 0)
    assert created + skipped == 32
    assert "comments, skipped: pingback (2)" in report
    assert "comments, skipped: trackback (2)" in report
    assert "comments, skipped: under a page (5)" in report
    imported = Comment.objects.all()
    assert imported.filter(parent__isnull=False).count() == 9  # the 10th answers on a page
    assert imported.filter(status="pending").count() == 1  # the 2 others wait on pages
    for reply in imported.filter(parent__isnull=False).select_related("parent"):
        assert reply.parent.article_id == reply.article_id
        assert reply.depth == reply.parent.depth + 1
        assert reply.created_at >= reply.parent.created_at
    # Every one says where it came from; the rules did not run on them.
    assert ModerationEvent.objects.filter(reasons__0__rule="import").count() == 23


def test_old_links_are_stored_as_redirects(export):
    run(export)

    article = Article.objects.get(slug="keyboard-navigation")
    stored = {r.old_path: r.to_feed for r in Redirect.objects.filter(article=article)}
    assert stored == {
        "/2018/10/20/keyboard-navigation/": False,
        "/2018/10/20/keyboard-navigation/feed/": True,
        "/?p=1724": False,
    }


def test_importing_the_same_file_again_changes_nothing(export):
    run(export)
    before = everything()

    again = run(export)

    assert everything() == before
    for kind in ("authors", "sections", "tags", "articles", "comments", "redirects"):
        created, updated, _, _, refused = row(again, kind)
        assert (created, updated, refused) == (0, 0, 0), kind


def test_a_dry_run_reports_and_writes_nothing(export):
    report = run(export, "--dry-run")

    assert "Dry run: nothing was written." in report
    assert row(report, "articles") == [51, 0, 0, 0, 0]
    assert not Article.objects.exists()
    assert not Comment.objects.exists()
    assert not Redirect.objects.exists()


def test_no_mail_goes_out_for_imported_comments(export, settings, mailoutbox):
    settings.COMMENTS_MODERATORS = ["desk@example.org"]

    run(export)

    assert mailoutbox == []


# --- A newer export, and files made for the test ------------------------------------------

WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.1/"
     xmlns:excerpt="http://wordpress.org/export/1.1/excerpt/">
<channel>
  <title>Old site</title>
  <link>https://old.example.com</link>
  <wp:wxr_version>1.1</wp:wxr_version>
  <wp:base_site_url>https://old.example.com</wp:base_site_url>
  <wp:author>
    <wp:author_login>ed</wp:author_login>
    <wp:author_display_name>Ed Itor</wp:author_display_name>
  </wp:author>
  <item>
    <title>{title}</title>
    <link>https://old.example.com/2020/05/harbour/</link>
    <dc:creator>ed</dc:creator>
    <content:encoded><![CDATA[First paragraph.

Second {caption} [unknown x="1"]]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>7</wp:post_id>
    <wp:post_date_gmt>2020-05-01 10:00:00</wp:post_date_gmt>
    <wp:post_name>harbour</wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>
    <category domain="category" nicename="city"><![CDATA[City]]></category>
    <wp:comment>
      <wp:comment_id>11</wp:comment_id>
      <wp:comment_author><![CDATA[Ann]]></wp:comment_author>
      <wp:comment_author_email>ann@example.org</wp:comment_author_email>
      <wp:comment_author_url>javascript:alert(1)</wp:comment_author_url>
      <wp:comment_author_IP>203.0.113.5</wp:comment_author_IP>
      <wp:comment_date_gmt>2020-05-02 09:00:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[{hostile_text}]]></wp:comment_content>
      <wp:comment_approved>{status}</wp:comment_approved>
      <wp:comment_parent>12</wp:comment_parent>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>12</wp:comment_id>
      <wp:comment_author><![CDATA[Bob]]></wp:comment_author>
      <wp:comment_date_gmt>2020-05-01 11:00:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[The parent, listed after its answer.]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_parent>0</wp:comment_parent>
    </wp:comment>
  </item>
</channel>
</rss>
"""


CAPTION = '[caption id="1"]<img src="https://old.example.com/a.jpg" alt="A"> The harbour[/caption]'
HOSTILE_TEXT = (
    "Nice <script>alert(1)</script>words http://a.example http://b.example http://c.example"
)


def small(title="The harbour", status="1") -> str:
    return WXR.format(title=title, status=status, caption=CAPTION, hostile_text=HOSTILE_TEXT)


def write(tmp_path, text: str, name="export.xml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_small_export_of_an_older_version(tmp_path):
    run(write(tmp_path, small()))

    article = Article.objects.get(slug="harbour")
    assert article.section.name == "City"
    # Paragraphs at blank lines, as WordPress would show them; the figure stands alone.
    assert article.body.startswith("<p>First paragraph.</p><p>Second </p><figure>")
    assert "<figcaption>The harbour</figcaption>" in article.body
    assert "unknown" not in article.body
    answer, parent = Comment.objects.order_by("import_key")
    assert answer.parent == parent  # an answer listed before its parent keeps it
    assert answer.author_url == ""  # not a web address
    assert "<script>" not in answer.body_html
    assert answer.status == "approved"  # three links, no rule: the archive as it was
    assert str(answer.ip_address) == "203.0.113.5"


def test_a_newer_export_updates_what_changed(tmp_path):
    run(write(tmp_path, small()))

    report = run(write(tmp_path, small("The harbour at night", "spam")))

    assert row(report, "articles")[:3] == [0, 1, 0]
    assert row(report, "comments")[:3] == [0, 1, 1]
    assert Article.objects.get().title == "The harbour at night"
    assert Comment.objects.get(author_name="Ann").status == "spam"
    assert Article.objects.count() == 1
    assert Comment.objects.count() == 2


HOSTILE = {
    "billion laughs": """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<rss><channel><title>&c;</title></channel></rss>""",
    "external entity": """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><title>&secret;</title></channel></rss>""",
    "truncated": small("Cut")[:1500],
    "malformed": small("Bad <b> tag"),
    "wrong root": "<?xml version='1.0'?><feed><entry/></feed>",
    "no channel": "<?xml version='1.0'?><rss version='2.0'></rss>",
    "not xml": "title,body\nhello,world\n",
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_or_broken_file_is_refused_and_changes_nothing(tmp_path, kind):
    path = write(tmp_path, HOSTILE[kind])

    with pytest.raises(CommandError, match="Refused, nothing imported"):
        run(path)

    assert not Article.objects.exists()
    assert not Comment.objects.exists()
    assert not Section.objects.exists()


def test_a_truncated_file_says_where_it_breaks(tmp_path):
    path = write(tmp_path, HOSTILE["truncated"])

    with pytest.raises(CommandError, match=r"not well-formed XML \(line \d+, column \d+\)"):
        run(path)


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="No such file"):
        run("/nonexistent/export.xml")


def test_an_import_stopped_midway_says_where_and_runs_again_to_the_end(export, monkeypatch):
    from django.db import DatabaseError

    from comments.moving import wordpress

    monkeypatch.setattr(wordpress, "BATCH_POSTS", 40)
    insert = wordpress.Importer._insert_comments
    batches = []

    def failing_second_batch(self):
        batches.append(1)
        if len(batches) == 2:
            raise DatabaseError("the disk is full")
        insert(self)

    monkeypatch.setattr(wordpress.Importer, "_insert_comments", failing_second_batch)
    with pytest.raises(CommandError, match=r"after 40 items \(the last one: “.+”\)"):
        run(export)
    first_batch = Article.objects.count()
    assert 0 < first_batch < 51  # what came before the failure stays

    monkeypatch.setattr(wordpress.Importer, "_insert_comments", insert)
    report = run(export)

    assert Article.objects.count() == 51
    assert Comment.objects.count() == 23
    assert row(report, "articles")[:3] == [51 - first_batch, 0, first_batch]


def test_old_links_answer_301_once_imported(client, export):
    run(export)

    for old, new in (
        ("/2018/10/20/keyboard-navigation/", "/articles/keyboard-navigation/"),
        ("/2018/10/20/keyboard-navigation/feed/", "/articles/keyboard-navigation/comments/feed/"),
        ("/?p=1724", "/articles/keyboard-navigation/"),
    ):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old


def test_an_old_address_with_letters_beyond_ascii_is_stored_decoded(client, tmp_path):
    text = small().replace("/2020/05/harbour/", "/2020/05/caf%C3%A9-du-port/")
    run(write(tmp_path, text))

    assert Redirect.objects.filter(old_path="/2020/05/café-du-port/").exists()
    assert client.get("/2020/05/caf%C3%A9-du-port/")["Location"] == "/articles/harbour/"


# --- What a newer export may not undo, and odd files ---------------------------------


def test_a_new_import_brings_back_nothing_erased_or_purged(tmp_path, settings):
    from comments import privacy
    from comments.retention import purge_personal_data

    path = write(tmp_path, small())
    run(path)
    privacy.erase("ann@example.org")
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    purge_personal_data()  # Bob's reply of 2020 loses its (empty) address too

    report = run(path)

    ann = Comment.objects.get(import_key__endswith=":comment:11")
    assert (ann.author_name, ann.author_email, ann.body, ann.ip_address) == (
        "Former commenter",
        "",
        "",
        None,
    )
    assert ann.status == "deleted"
    assert row(report, "comments")[:3] == [0, 0, 2]


ODD_ITEM = """
  <item>
    <title>Odd</title>
    <link>{link}</link>
    <wp:post_id>{post_id}</wp:post_id>
    <wp:post_date_gmt>{date}</wp:post_date_gmt>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>
    <wp:comment><wp:comment_id>5</wp:comment_id><wp:comment_approved>1</wp:comment_approved>
      <wp:comment_content>First</wp:comment_content><wp:comment_parent>5</wp:comment_parent>
    </wp:comment>
    <wp:comment><wp:comment_id>5</wp:comment_id><wp:comment_approved>1</wp:comment_approved>
      <wp:comment_content>Again</wp:comment_content><wp:comment_parent>0</wp:comment_parent>
    </wp:comment>
  </item>"""


@pytest.mark.parametrize(
    ("link", "post_id", "date"),
    [
        ("http://[x/", "²", "9999-12-31 23:59:59"),
        ("https://old.example.com/odd/", "9" * 25, "0001-01-01 00:00:00"),
        ("", "1 2", "not a date"),
    ],
    ids=["broken link, superscript id, far future", "long id, year one", "no link, spaced id"],
)
def test_odd_items_are_imported_or_refused_never_a_crash(tmp_path, link, post_id, date):
    item = ODD_ITEM.format(link=link, post_id=post_id, date=date)
    text = small().replace("<item>", item + "\n  <item>", 1)

    report = run(write(tmp_path, text))

    odd = Article.objects.get(title="Odd")
    assert 2000 <= odd.published_at.year <= 2100
    assert odd.comments.count() == 1  # a repeated comment id is read once
    assert "comments, refused: no id, a repeated id or a long one (1)" in report


def test_an_element_beside_the_channel_is_not_read(tmp_path):
    text = small().replace("</channel>", "</channel><x><item><title>Stray</title></item></x>")

    run(write(tmp_path, text))

    assert not Article.objects.filter(title="Stray").exists()


def test_an_unknown_encoding_is_refused(tmp_path):
    text = small().replace('encoding="UTF-8"', 'encoding="x-nope"')

    with pytest.raises(CommandError, match="encoding is unknown"):
        run(write(tmp_path, text))


def test_an_id_too_long_to_keep_is_refused(tmp_path):
    item = ODD_ITEM.format(link="", post_id="9" * 5000, date="")
    text = small().replace("<item>", item + "\n  <item>", 1)

    report = run(write(tmp_path, text))

    assert "articles, refused: no id, a repeated id or a long one (1)" in report
    assert not Article.objects.filter(title="Odd").exists()
    assert Article.objects.filter(title="The harbour").exists()


def test_texts_rendered_on_every_core_are_rendered_as_one_by_one():
    from comments.moving.records import close_pool, render_all
    from comments.sanitize import render_comment

    texts = [f"Reply {n}, <b>bold</b>, www.example.com/{n} and\n\nmore" for n in range(600)]

    try:
        assert render_all(texts) == [render_comment(text) for text in texts]
    finally:
        close_pool()
