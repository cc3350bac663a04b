"""Importing a WordPress export: posts become articles, their comments replies,
their old addresses redirects.

What is imported is keyed by the source's own ids ("wordpress:<site>:post:<id>",
on Article.import_key and Comment.import_key), so importing the same file
again changes nothing, and a newer export of the same site updates what
changed. Imported comments are the archive as it stood: no rule runs on them
and no mail goes out; each gets a ModerationEvent saying where it came from.

Work is committed a batch of posts at a time; the file is first read through
once (wxr.check), so a malformed file is refused before anything is written,
and an import stopped midway (a database error) says after which post, and
can simply be run again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html import unescape
from urllib.parse import unquote, urlsplit

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from articles.middleware import old_path_problem
from articles.models import Article, Redirect, Section, Tag
from articles.sanitize import clean_article_body
from articles.services import article_changed, taxonomy_changed
from plumbing.text import without_control_characters

from ..models import Comment
from ..sanitize import render_comment
from ..services import discussion_changed, within_depth
from . import wxr
from .records import (
    KEY_LENGTH,
    Importing,
    insert_comments,
    ip_or_none,
    line,
    plausible,
    render_all,
    update_from_source,
    valid_email,
    web_url,
)

BATCH_POSTS = 50

POST_STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,  # with a date to come: scheduled
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.DRAFT,
    "private": Article.Status.DRAFT,
}
COMMENT_STATUSES = {
    "1": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REMOVED,
    "post-trashed": Comment.Status.REMOVED,
}
SKIPPED_COMMENT_TYPES = {"pingback", "trackback"}
# A Newsroom export's note of a status WordPress has no word for (wxr_export.py).
STATUS_META = "newsroom_status"


class Importer(Importing):
    def __init__(self, path, **options):
        super().__init__(path, **options)
        self.addresses: dict[str, str] = {}  # the channel's own, by element
        self.authors: dict[str, object] = {}  # login -> user
        self.sections: dict[str, Section] = {}  # nicename -> section
        self.tags: dict[str, Tag] = {}
        self.seen_posts: set[str] = set()  # a file that repeats an id is read once per id
        self.seen_comments: set[str] = set()

    def check(self) -> int:
        return wxr.check(self.path).items

    @property
    def site(self) -> str:
        """The exported site, as keys name it: the blog's address (on a network
        of blogs, base_site_url is the network's)."""
        found = self.addresses
        return (
            found.get("wp:base_blog_url") or found.get("link") or found.get("wp:base_site_url", "")
        )

    # --- The stream ---------------------------------------------------------------

    def read(self, total: int) -> None:
        batch: list = []
        for entry in wxr.entries(self.path):
            name = entry.tag
            if name in ("link", "wp:base_site_url", "wp:base_blog_url"):
                self.addresses[name] = _site(entry.text or "")
            elif name in ("wp:author", "wp:category", "wp:tag"):
                with transaction.atomic():
                    getattr(self, f"_{name[3:]}")(entry)
            elif name == "item":
                batch.append(_Item.read(entry))
                if len(batch) >= BATCH_POSTS:
                    self._import_batch(batch, total)
                    batch = []
        if batch:
            self._import_batch(batch, total)

    def _import_batch(self, items: list[_Item], total: int) -> None:
        self.new_comments: list[Comment] = []
        self.changed_discussions: set[Article] = set()
        comments = [c for item in items if item.post_type == "post" for c in item.comments]
        for comment, html in zip(comments, render_all([c.body for c in comments]), strict=True):
            comment.body_html = html
        with transaction.atomic():
            for item in items:
                self._item(item)
            self._insert_comments()
        self.report.posts_done += len(items)
        self.report.last_post = items[-1].title
        self.progress(self.report, total)

    # --- The channel: authors, categories, tags ------------------------------------

    def _author(self, entry) -> None:
        login = wxr.text(entry, "wp:author_login").strip()
        if not login:
            self.report.add("authors", "refused", "no login")
            return
        users = get_user_model()
        username = f"wp-{slugify(login)}"[:150]
        first = line(wxr.text(entry, "wp:author_first_name"), 150)
        last = line(wxr.text(entry, "wp:author_last_name"), 150)
        display = line(wxr.text(entry, "wp:author_display_name"), 150)
        if not (first or last):
            first = display or login
        user = users.objects.filter(username=username).first()
        if user is None:
            user = users(username=username, first_name=first, last_name=last, is_staff=True)
            user.set_unusable_password()  # an author's name, not an account to sign in to
            user.save()
            self.report.add("authors", "created")
        elif (user.first_name, user.last_name) != (first, last):
            user.first_name, user.last_name = first, last
            user.save(update_fields=["first_name", "last_name"])
            self.report.add("authors", "updated")
        else:
            self.report.add("authors", "unchanged")
        self.authors[login] = user

    def _category(self, entry) -> None:
        self._taxonomy(
            Section,
            self.sections,
            "sections",
            wxr.text(entry, "wp:category_nicename"),
            wxr.text(entry, "wp:cat_name"),
        )

    def _tag(self, entry) -> None:
        self._taxonomy(
            Tag, self.tags, "tags", wxr.text(entry, "wp:tag_slug"), wxr.text(entry, "wp:tag_name")
        )

    def _taxonomy(self, model, known: dict, kind: str, slug: str, name: str):
        slug = slugify(unescape(slug))[:100] or slugify(unescape(name))[:100]
        name = line(unescape(name), 100) or slug
        if not slug:
            self.report.add(kind, "refused", "no name")
            return None
        found = model.objects.filter(slug=slug).first()
        if found is None:
            # Names are unique too: another term's name gets this one's slug beside it.
            for candidate in (name, f"{name[: 96 - len(slug)]} ({slug})", slug):
                if not model.objects.filter(name=candidate).exists():
                    name = candidate
                    break
            found = model.objects.create(slug=slug, name=name)
            taxonomy_changed()
            self.report.add(kind, "created")
        else:
            self.report.add(kind, "unchanged")
        known[slug] = found
        return found

    # --- Posts ----------------------------------------------------------------------

    def _item(self, item: _Item) -> None:
        if item.post_type != "post":
            self.report.add("other items", "skipped", item.post_type or "no type")
            for _ in item.comments:
                self.report.add(
                    "comments", "skipped", f"under a {item.post_type or 'skipped item'}"
                )
            return
        status = POST_STATUSES.get(item.status)
        if status is None:
            self.report.add("articles", "refused", f"status {item.status!r}")
            for _ in item.comments:
                self.report.add("comments", "skipped", "under a refused post")
            return
        if item.password:
            status = Article.Status.DRAFT
            self.report.add("articles", "note", "password-protected: imported as a draft")
        key = f"wordpress:{self.site}:post:{item.post_id}"
        if not item.post_id or key in self.seen_posts or len(key) > KEY_LENGTH:
            self.report.add("articles", "refused", "no id, a repeated id or a long one")
            return
        self.seen_posts.add(key)
        article = Article.objects.filter(import_key=key).first()
        values = self._article_values(item, status)
        if article is None:
            article = Article(import_key=key, slug=self._free_slug(item, key), **values)
            outcome = "created"
        else:
            changed = {n: v for n, v in values.items() if getattr(article, n) != v}
            for name, value in changed.items():
                setattr(article, name, value)
            outcome = "updated" if changed else "unchanged"
        tags = [self._term_tag(slug, name) for slug, name in item.tags]
        tags = [tag for tag in tags if tag is not None]
        if outcome != "unchanged":
            old_slug, was_public = article.stored_slug, article.was_public
            article.save()
            article.tags.set(tags)
            article_changed(article, old_slug=old_slug, was_public=was_public)
        elif {t.pk for t in article.tags.all()} != {t.pk for t in tags}:
            article.tags.set(tags)
            article_changed(article, was_public=article.was_public)
            outcome = "updated"
        self.report.add("articles", outcome)
        for shortcode in item.dropped_shortcodes:
            self.report.add("shortcodes", "dropped", shortcode)
        self._redirects(item, article)
        self._comments(item, article)

    def _article_values(self, item: _Item, status: str) -> dict:
        section = self._first_section(item)
        author = self.authors.get(item.creator)
        published_at = item.published_at
        if status == Article.Status.PUBLISHED and published_at is None:
            published_at = item.pub_date
        return {
            "title": line(unescape(item.title), 200) or f"Post {item.post_id}",
            "summary": line(_plain(item.excerpt), 300),
            "body": clean_article_body(item.body),  # as saving leaves it
            "author": author,
            "byline": "",
            "section": section,
            "status": status,
            "published_at": published_at if status == Article.Status.PUBLISHED else None,
            "allow_comments": item.comment_status != "closed",
        }

    def _first_section(self, item: _Item) -> Section:
        for slug, name in item.categories:
            section = self.sections.get(slugify(unescape(slug))[:100])
            if section is None:
                section = self._taxonomy(Section, self.sections, "sections", slug, name)
            if section is not None:
                return section
        fallback = self.sections.get("imported")
        if fallback is None:
            fallback, _ = Section.objects.get_or_create(
                slug="imported", defaults={"name": "Imported"}
            )
            self.sections["imported"] = fallback
        return fallback

    def _term_tag(self, slug: str, name: str) -> Tag | None:
        known = self.tags.get(slugify(unescape(slug))[:100])
        return known or self._taxonomy(Tag, self.tags, "tags", slug, name)

    def _free_slug(self, item: _Item, key: str) -> str:
        base = slugify(unescape(item.name))[:180] or slugify(unescape(item.title))[:180]
        base = base or f"post-{slugify(item.post_id)[:20]}".rstrip("-")
        slug, number = base, 1
        while Article.objects.filter(slug=slug).exclude(import_key=key).exists():
            number += 1
            slug = f"{base}-{number}"
        return slug

    def _redirects(self, item: _Item, article: Article) -> None:
        own = {article.get_absolute_url()}  # a Newsroom export's links are already ours
        for old_path, to_feed in item.old_paths():
            if old_path in own:
                continue
            redirect = Redirect.objects.filter(old_path=old_path).first()
            if redirect is None:
                Redirect.objects.create(old_path=old_path, article=article, to_feed=to_feed)
                self.report.add("redirects", "created")
            elif (redirect.article_id, redirect.to_feed) != (article.pk, to_feed):
                redirect.article, redirect.to_feed = article, to_feed
                redirect.save(update_fields=["article", "to_feed"])
                self.report.add("redirects", "updated")
            else:
                self.report.add("redirects", "unchanged")

    # --- Comments -------------------------------------------------------------------

    def _comments(self, item: _Item, article: Article) -> None:
        prefix = f"wordpress:{self.site}:comment:"
        existing = {
            c.import_key: c
            for c in Comment.objects.filter(article=article, import_key__startswith=prefix)
        }
        placed: dict[str, Comment] = {}  # WordPress id -> comment
        new, public_changed = [], False
        for source in _parents_first(item.comments):
            key = f"{prefix}{source.id}"
            if not source.id or key in self.seen_comments or len(key) > KEY_LENGTH:
                self.report.add("comments", "refused", "no id, a repeated id or a long one")
                continue
            self.seen_comments.add(key)
            if source.type in SKIPPED_COMMENT_TYPES:
                self.report.add("comments", "skipped", source.type)
                continue
            status = COMMENT_STATUSES.get(source.approved)
            if source.exact_status in Comment.Status.values:
                status = source.exact_status  # what a Newsroom export noted
            if status is None:
                self.report.add("comments", "refused", f"status {source.approved!r}")
                continue
            parent = placed.get(source.parent)
            parent = within_depth(parent)
            values = source.values(status, parent)
            comment = existing.get(key)
            if comment is None:
                comment = Comment(article=article, import_key=key, **values)
                new.append(comment)
                self.report.add("comments", "created")
                public_changed |= status == Comment.Status.APPROVED
            else:
                was = comment.status
                if update_from_source(comment, values):
                    public_changed |= Comment.Status.APPROVED in (was, comment.status)
                    self.report.add("comments", "updated")
                else:
                    self.report.add("comments", "unchanged")
            placed[source.id] = comment
        self.new_comments += new
        if public_changed:
            self.changed_discussions.add(article)

    def _insert_comments(self) -> None:
        insert_comments(self.new_comments, f"Imported from WordPress ({self.site}).")
        if self.changed_discussions:
            discussion_changed(*self.changed_discussions)


# --- What one <item> holds ------------------------------------------------------------


@dataclass
class _Comment:
    id: str
    parent: str
    type: str
    approved: str
    author: str
    email: str
    url: str
    ip: str
    date: datetime | None
    content: str
    exact_status: str = ""
    body_html: str | None = None  # rendered with the others of its batch (render_all)

    @classmethod
    def read(cls, element) -> _Comment:
        get = lambda name: wxr.text(element, f"wp:comment_{name}")  # noqa: E731
        return cls(
            id=get("id").strip(),
            parent=get("parent").strip(),
            type=get("type").strip(),
            approved=get("approved").strip(),
            author=get("author"),
            email=get("author_email").strip(),
            url=get("author_url").strip(),
            ip=get("author_IP").strip(),
            date=_gmt(get("date_gmt")) or _gmt(get("date")),
            content=get("content"),
            exact_status=next(
                (
                    wxr.text(meta, "wp:meta_value").strip()
                    for meta in wxr.children(element, "wp:commentmeta")
                    if wxr.text(meta, "wp:meta_key").strip() == STATUS_META
                ),
                "",
            ),
        )

    @property
    def body(self) -> str:
        return without_control_characters(self.content).replace("\r\n", "\n")

    def values(self, status: str, parent: Comment | None) -> dict:
        body = self.body
        created = self.date or datetime.now(UTC)
        return {
            "parent": parent,
            "depth": Comment.depth_under(parent),
            "author_name": line(unescape(self.author), 100) or "Anonymous",
            "author_email": valid_email(self.email),
            "author_url": web_url(self.url),
            "ip_address": ip_or_none(self.ip),
            "body": body,
            "body_html": self.body_html if self.body_html is not None else render_comment(body),
            "status": status,
            "created_at": created,
            "moderated_at": None if status == Comment.Status.PENDING else created,
        }


@dataclass
class _Item:
    post_id: str
    post_type: str
    status: str
    password: str
    title: str
    name: str
    link: str
    creator: str
    published_at: datetime | None
    pub_date: datetime | None
    body: str
    excerpt: str
    comment_status: str
    categories: list[tuple[str, str]]
    tags: list[tuple[str, str]]
    comments: list[_Comment]
    dropped_shortcodes: list[str]

    @classmethod
    def read(cls, element) -> _Item:
        terms = {"category": [], "post_tag": []}
        for category in wxr.children(element, "category"):
            domain = category.get("domain", "")
            if domain in terms:
                terms[domain].append((category.get("nicename", ""), category.text or ""))
        body, dropped = _body(wxr.text(element, "content:encoded"))
        return cls(
            post_id=wxr.text(element, "wp:post_id").strip(),
            post_type=wxr.text(element, "wp:post_type").strip(),
            status=wxr.text(element, "wp:status").strip(),
            password=wxr.text(element, "wp:post_password"),
            title=wxr.text(element, "title"),
            name=wxr.text(element, "wp:post_name"),
            link=wxr.text(element, "link").strip(),
            creator=wxr.text(element, "dc:creator").strip(),
            published_at=_gmt(wxr.text(element, "wp:post_date_gmt")),
            pub_date=_rfc822(wxr.text(element, "pubDate")),
            body=body,
            excerpt=wxr.text(element, "excerpt:encoded"),
            comment_status=wxr.text(element, "wp:comment_status").strip(),
            categories=terms["category"],
            tags=terms["post_tag"],
            comments=[_Comment.read(c) for c in wxr.children(element, "wp:comment")],
            dropped_shortcodes=dropped,
        )

    def old_paths(self) -> list[tuple[str, bool]]:
        """(old path, to the comment feed): the post's permalink and its feed,
        and "/?p=<id>", which WordPress answers for any post."""
        paths = []
        # Requests are matched by their decoded path ("/café/", not "/caf%C3%A9/").
        path = unquote(_split(self.link).path)
        if path and path != "/":
            paths.append((path, False))
            paths.append((path.rstrip("/") + "/feed/", True))
        if _number(self.post_id):
            paths.append((f"/?p={int(self.post_id)}", False))
        # One that no request could match (too long, spaces...) is not stored.
        return [(old, feed) for old, feed in paths if old_path_problem(old) is None]


def _parents_first(comments: list[_Comment]) -> list[_Comment]:
    """Each comment after its parent (an export lists them by id, which mostly
    but not always agrees); an answer to a comment that is not there becomes a
    top-level one."""
    ids = {c.id for c in comments}
    children: dict[str, list[_Comment]] = {}
    for comment in comments:
        parent = comment.parent if comment.parent in ids and comment.parent != comment.id else ""
        children.setdefault(parent, []).append(comment)
    ordered, level, seen = [], children.get("", []), set()
    while level:
        ordered += level
        seen.update(c.id for c in level)
        level = [child for c in level for child in children.get(c.id, []) if child.id not in seen]
    return ordered


# --- Text, dates and addresses from the file ----------------------------------------------

_SHORTCODE = re.compile(r"\[(\w[\w-]*)([^\]]*)\](?:(.*?)\[/\1\])?", re.DOTALL)
_CAPTION_IMAGE = re.compile(r"^\s*((?:<a\b[^>]*>)?\s*<img\b[^>]*>\s*(?:</a>)?)(.*)$", re.DOTALL)
_BLOCKS = re.compile(r"<(p|h[1-6]|ul|ol|blockquote|figure|pre|table|div)\b", re.IGNORECASE)


def _body(html: str) -> tuple[str, list[str]]:
    """The post's HTML as an article body: [caption] becomes a figure, other
    shortcodes go (and are counted); text WordPress would break into paragraphs
    at blank lines gets its paragraphs."""
    dropped: list[str] = []
    paragraphs = not _BLOCKS.search(html)

    def replace(match: re.Match) -> str:
        name, inner = match.group(1).lower(), match.group(3) or ""
        if name in ("caption", "wp_caption"):
            found = _CAPTION_IMAGE.match(inner)
            if found:
                image, caption = found.groups()
                return f"<figure>{image}<figcaption>{caption.strip()}</figcaption></figure>"
            return inner
        dropped.append(name)
        return ""

    html = _SHORTCODE.sub(replace, html)
    if paragraphs:
        parts = [part.strip() for part in re.split(r"\n\s*\n", html) if part.strip()]
        html = "".join(f"<p>{part}</p>" for part in parts)
    return html, dropped


def _plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]*>", " ", unescape(html)).split())


def _number(value: str) -> bool:
    """An id as WordPress makes them: ASCII digits, at most 20."""
    return value.isascii() and value.isdigit() and len(value) <= 20


def _split(url: str):
    """urlsplit(), which refuses some broken addresses ("http://[x/"): as none."""
    try:
        return urlsplit(url.strip())
    except ValueError:
        return urlsplit("")


def _site(url: str) -> str:
    parts = _split(url)
    return f"{parts.netloc}{parts.path}".rstrip("/").lower()


def _gmt(value: str) -> datetime | None:
    value = value.strip()
    if not value or value.startswith("0000"):
        return None
    try:
        return plausible(datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC))
    except ValueError:
        return None


def _rfc822(value: str) -> datetime | None:
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return plausible(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
