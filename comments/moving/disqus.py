"""Importing a Disqus export: its threads are matched to articles by their
links, its posts become replies under them.

A thread's link is looked up as an old address (the redirects a WordPress
import stored) or as an article's own address here; a thread that matches
no article is listed in the report, never invented. Posts keep their parents,
dates, names, e-mails and addresses; `isDeleted` becomes removed, `isSpam`
spam. Keyed like the WordPress import ("disqus:<forum>:post:<id>"), streamed
through the same hardened reader, read through once before anything is
written, committed a batch at a time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.db import transaction

from articles.middleware import article_for_link
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
    update_from_source,
    valid_email,
)

BATCH_POSTS = 1000
INTERNALS = "{http://disqus.com/disqus-internals}id"
UNMATCHED_LISTED = 50


class Importer(Importing):
    def __init__(self, path, **options):
        super().__init__(path, **options)
        self.forum = ""
        self.threads: dict[str, object] = {}  # Disqus thread id -> article (None: unmatched)
        self.unmatched: list[str] = []
        self.seen: set[str] = set()  # a file that repeats an id is read once per id

    def check(self) -> int:
        return check(self.path)

    def read(self, total: int) -> None:
        batch: list[dict] = []
        for entry in wxr.entries(self.path, root="disqus", container=None, what="Disqus"):
            if entry.tag == "thread":
                self._thread(entry)
            elif entry.tag == "post":
                batch.append(_post(entry))
                if len(batch) >= BATCH_POSTS:
                    self._import_batch(batch, total)
                    batch = []
        if batch:
            self._import_batch(batch, total)

    def _thread(self, entry) -> None:
        thread_id = entry.get(INTERNALS, "")
        self.forum = self.forum or line(wxr.text(entry, "forum"), 100)
        link = wxr.text(entry, "link").strip()
        article = article_for_link(link) if link else None
        self.threads[thread_id] = article
        if article is None:
            self.report.add("threads", "unmatched")
            if len(self.unmatched) < UNMATCHED_LISTED:
                self.unmatched.append(link or f"(thread {thread_id}, no link)")
        else:
            self.report.add("threads", "matched")

    def _import_batch(self, posts: list[dict], total: int) -> None:
        prefix = f"disqus:{self.forum}:post:"
        wanted = {prefix + p["id"] for p in posts}
        wanted |= {prefix + p["parent"] for p in posts if p["parent"]}
        with transaction.atomic():
            known = {
                c.import_key: c
                for c in Comment.objects.filter(import_key__in=wanted).select_related("parent")
            }
            new, changed_articles = [], set()
            for post in _parents_first(posts):
                key = prefix + post["id"]
                if not post["id"] or key in self.seen or len(key) > KEY_LENGTH:
                    self.report.add("comments", "refused", "no id, a repeated id or a long one")
                    continue
                self.seen.add(key)
                article = self.threads.get(post["thread"])
                if article is None:
                    self.report.add("comments", "skipped", "thread matched no article")
                    continue
                parent = known.get(prefix + post["parent"]) if post["parent"] else None
                if post["parent"] and parent is None:
                    self.report.add("comments", "note", "parent not found: top-level")
                if parent is not None and parent.article_id != article.pk:
                    parent = None
                parent = within_depth(parent)
                values = _values(post, parent)
                comment = known.get(key)
                if comment is None:
                    comment = Comment(article=article, import_key=key, **values)
                    new.append(comment)
                    self.report.add("comments", "created")
                    if comment.status == Comment.Status.APPROVED:
                        changed_articles.add(article)
                else:
                    was = comment.status
                    if update_from_source(comment, values):
                        if Comment.Status.APPROVED in (was, comment.status):
                            changed_articles.add(article)
                        self.report.add("comments", "updated")
                    else:
                        self.report.add("comments", "unchanged")
                known[key] = comment
            insert_comments(new, f"Imported from Disqus ({self.forum}).")
            if changed_articles:
                discussion_changed(*changed_articles)
        self.report.posts_done += len(posts)
        self.progress(self.report, total)


def check(path) -> int:
    """Read the whole export once, keeping nothing; how many posts it holds."""
    return sum(
        1
        for entry in wxr.entries(path, root="disqus", container=None, what="Disqus")
        if entry.tag == "post"
    )


def _post(entry) -> dict:
    author = next(wxr.children(entry, "author"), None)
    thread = next(wxr.children(entry, "thread"), None)
    parent = next(wxr.children(entry, "parent"), None)
    return {
        "id": entry.get(INTERNALS, ""),
        "thread": thread.get(INTERNALS, "") if thread is not None else "",
        "parent": parent.get(INTERNALS, "") if parent is not None else "",
        "message": wxr.text(entry, "message"),
        "created": _moment(wxr.text(entry, "createdAt")),
        "deleted": wxr.text(entry, "isDeleted").strip() == "true",
        "spam": wxr.text(entry, "isSpam").strip() == "true",
        "name": wxr.text(author, "name") if author is not None else "",
        "username": wxr.text(author, "username") if author is not None else "",
        "email": wxr.text(author, "email").strip() if author is not None else "",
        "ip": wxr.text(entry, "ipAddress").strip(),
    }


def _parents_first(posts: list[dict]) -> list[dict]:
    """An export lists posts by time; an answer that comes before its parent in
    the batch is put after it."""
    ids = {post["id"] for post in posts}
    placed: set[str] = set()
    ordered, waiting = [], list(posts)
    while waiting:
        ready = [p for p in waiting if p["parent"] not in ids or p["parent"] in placed]
        if not ready:  # a loop of parents: the rest go in as they are
            ready = waiting
        ordered += ready
        placed.update(p["id"] for p in ready)
        waiting = [p for p in waiting if p["id"] not in placed]
    return ordered


_BREAKS = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH_ENDS = re.compile(r"</p\s*>\s*", re.IGNORECASE)
_PARAGRAPH_STARTS = re.compile(r"<p(\s[^>]*)?>", re.IGNORECASE)


def _as_written(message: str) -> str:
    """Disqus keeps a post as HTML; a reply here is kept as written, with blank
    lines between paragraphs (render_comment makes them again)."""
    text = _BREAKS.sub("\n", message)
    text = _PARAGRAPH_ENDS.sub("\n\n", _PARAGRAPH_STARTS.sub("", text))
    return without_control_characters(text).strip()


def _values(post: dict, parent: Comment | None) -> dict:
    body = _as_written(post["message"])
    status = (
        Comment.Status.REMOVED
        if post["deleted"]
        else Comment.Status.SPAM
        if post["spam"]
        else Comment.Status.APPROVED
    )
    created = post["created"] or datetime.now(UTC)
    return {
        "parent": parent,
        "depth": Comment.depth_under(parent),
        "author_name": line(post["name"] or post["username"], 100) or "Anonymous",
        "author_email": valid_email(post["email"]),
        "ip_address": ip_or_none(post["ip"]),
        "body": body,
        "body_html": render_comment(body),
        "status": status,
        "created_at": created,
        "moderated_at": created,
    }


def _moment(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return plausible(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
