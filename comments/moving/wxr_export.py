"""Leaving for WordPress: the whole site as a WXR 1.2 file that WordPress's own
importer (Tools → Import → WordPress) reads.

Articles become posts (published, scheduled as `future`, drafts), sections
categories, tags tags, authors authors, comments comments with their threads
and statuses. A status WordPress has no word for (a reply its author deleted)
goes as `trash`, with the exact status in a comment meta field
(`newsroom_status`) that the Newsroom importer reads back, so a round trip
keeps every status. Dates go in UTC to the second, as WordPress keeps them.

Written as it is read, a few hundred rows at a time: memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, Section, Tag
from plumbing.text import without_control_characters

from ..models import Comment
from .wordpress import STATUS_META

CHUNK = 500
WP_STATUS = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.REMOVED: "trash",
    Comment.Status.DELETED: "trash",
}


def cdata(text: str) -> str:
    # "]]>" cannot stand inside a CDATA section: it is split across two. Characters
    # XML 1.0 forbids (a user's name may hold them) are left out.
    text = without_control_characters(text)
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _gmt(moment: datetime | None) -> str:
    if moment is None:
        return "0000-00-00 00:00:00"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _element(name: str, value) -> str:
    return f"<{name}>{escape(without_control_characters(str(value)))}</{name}>"


def write(out: TextIO) -> None:
    site = settings.SITE_URL.rstrip("/")
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
        f"{_element('title', settings.SITE_NAME)}\n{_element('link', site)}\n"
        "<description></description>\n<language>en</language>\n"
        "<wp:wxr_version>1.2</wp:wxr_version>\n"
        f"{_element('wp:base_site_url', site)}\n{_element('wp:base_blog_url', site)}\n"
    )
    _authors(out)
    for section in Section.objects.order_by("pk"):
        out.write(
            f"<wp:category>{_element('wp:term_id', section.pk)}"
            f"{_element('wp:category_nicename', section.slug)}"
            f"<wp:category_parent></wp:category_parent>"
            f"<wp:cat_name>{cdata(section.name)}</wp:cat_name></wp:category>\n"
        )
    for tag in Tag.objects.order_by("pk"):
        out.write(
            f"<wp:tag>{_element('wp:term_id', tag.pk)}{_element('wp:tag_slug', tag.slug)}"
            f"<wp:tag_name>{cdata(tag.name)}</wp:tag_name></wp:tag>\n"
        )
    for articles in _chunks(Article.objects.select_related("section", "author").order_by("pk")):
        _posts(out, site, articles)
    out.write("</channel>\n</rss>\n")


def _chunks(queryset) -> Iterable[list]:
    """Rows a chunk at a time, by primary key: no offset grows with the table."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _authors(out: TextIO) -> None:
    users = get_user_model().objects.filter(
        pk__in=Article.objects.exclude(author=None).values("author")
    )
    for user in users.order_by("pk"):
        out.write(
            f"<wp:author>{_element('wp:author_id', user.pk)}"
            f"<wp:author_login>{cdata(user.get_username())}</wp:author_login>"
            f"<wp:author_email>{cdata(user.email)}</wp:author_email>"
            f"<wp:author_display_name>{cdata(user.get_full_name() or user.get_username())}"
            f"</wp:author_display_name><wp:author_first_name>{cdata(user.first_name)}"
            f"</wp:author_first_name><wp:author_last_name>{cdata(user.last_name)}"
            "</wp:author_last_name></wp:author>\n"
        )


def _posts(out: TextIO, site: str, articles: list[Article]) -> None:
    ids = [article.pk for article in articles]
    tags: dict[int, list[Tag]] = {pk: [] for pk in ids}
    for link in Article.tags.through.objects.filter(article__in=ids).select_related("tag"):
        tags[link.article_id].append(link.tag)
    comments: dict[int, list[Comment]] = {pk: [] for pk in ids}
    for comment in Comment.objects.filter(article__in=ids).order_by("pk").iterator(CHUNK * 4):
        comments[comment.article_id].append(comment)
    now = timezone.now()
    for article in articles:
        if article.status == Article.Status.DRAFT:
            status = "draft"
        else:
            status = "future" if article.published_at and article.published_at > now else "publish"
        terms = [_term("category", article.section)] + [
            _term("post_tag", tag) for tag in tags[article.pk]
        ]
        out.write(
            f"<item>{_element('title', article.title)}"
            f"{_element('link', site + article.get_absolute_url())}"
            f"<dc:creator>{cdata(article.author.get_username() if article.author else '')}"
            "</dc:creator>"
            f'<guid isPermaLink="false">{escape(f"{site}/?p={article.pk}")}</guid>'
            f"<description></description><content:encoded>{cdata(article.body)}</content:encoded>"
            f"<excerpt:encoded>{cdata(article.summary)}</excerpt:encoded>"
            f"{_element('wp:post_id', article.pk)}"
            f"{_element('wp:post_date', _gmt(article.published_at))}"
            f"{_element('wp:post_date_gmt', _gmt(article.published_at))}"
            f"{_element('wp:comment_status', 'open' if article.allow_comments else 'closed')}"
            f"{_element('wp:post_name', article.slug)}{_element('wp:status', status)}"
            f"<wp:post_parent>0</wp:post_parent>{_element('wp:post_type', 'post')}"
            f"<wp:post_password></wp:post_password>{''.join(terms)}\n"
        )
        for comment in comments[article.pk]:
            _comment(out, comment)
        out.write("</item>\n")


def _term(domain: str, term) -> str:
    return (
        f"<category domain={quoteattr(domain)} nicename={quoteattr(term.slug)}>"
        f"{cdata(term.name)}</category>"
    )


def _comment(out: TextIO, comment: Comment) -> None:
    meta = ""
    if comment.status == Comment.Status.DELETED:
        meta = (
            f"<wp:commentmeta><wp:meta_key>{STATUS_META}</wp:meta_key>"
            f"<wp:meta_value>{cdata(comment.status)}</wp:meta_value></wp:commentmeta>"
        )
    out.write(
        f"<wp:comment>{_element('wp:comment_id', comment.pk)}"
        f"<wp:comment_author>{cdata(comment.author_name)}</wp:comment_author>"
        f"<wp:comment_author_email>{cdata(comment.author_email)}</wp:comment_author_email>"
        f"{_element('wp:comment_author_url', comment.author_url)}"
        f"{_element('wp:comment_author_IP', comment.ip_address or '')}"
        f"{_element('wp:comment_date', _gmt(comment.created_at))}"
        f"{_element('wp:comment_date_gmt', _gmt(comment.created_at))}"
        f"<wp:comment_content>{cdata(comment.body)}</wp:comment_content>"
        f"{_element('wp:comment_approved', WP_STATUS[comment.status])}"
        "<wp:comment_type>comment</wp:comment_type>"
        f"{_element('wp:comment_parent', comment.parent_id or 0)}"
        f"<wp:comment_user_id>0</wp:comment_user_id>{meta}</wp:comment>\n"
    )
