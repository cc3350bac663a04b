"""Laying out an article's discussion: who sees which comment, in what order, on
which page.

One query loads the shape of the whole discussion (ids, parents, statuses,
dates, counts: what the layout reads), and the tree is built here; a second
loads what a page shows (names, texts) of the comments on that page alone. A
discussion of thousands of replies costs a page the text of the fifty threads
it shows, not of every reply; and where only the place of a comment is wanted
(a permalink, the page to go back to after posting) the second is not run."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from .models import Comment

_NEVER = datetime.max.replace(tzinfo=UTC)
APPROVED = Comment.Status.APPROVED


class ThreadComment(NamedTuple):
    """What a page shows of a comment: e-mail, IP and user agent are never even loaded."""

    pk: int
    parent_id: int | None
    status: str
    author_name: str
    author_url: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    picked_at: datetime | None
    author_role: str
    recommendations: int


class Shape(NamedTuple):
    """What the layout reads of every comment of a discussion: no text and no date
    (reading a date costs more than the rest of a row)."""

    pk: int
    parent_id: int | None
    status: str
    picked: bool
    recommendations: int


# Comment.PUBLIC_FIELDS and the status the layout needs (a test holds them together).
DISPLAY_FIELDS = ("id", *ThreadComment._fields[1:])
SHAPE_FIELDS = ("id", "parent_id", "status", "picked", "recommendations")
OWN_VISIBLE_STATUSES = (Comment.Status.PENDING, Comment.Status.SPAM)
# What an author may still change (comments.services.CHANGEABLE).
EDITABLE_STATUSES = (Comment.Status.APPROVED, *OWN_VISIBLE_STATUSES)


class Sort:
    """How a reader may order a discussion: its top-level replies, each with its
    answers under it in the order they came."""

    OLDEST, NEWEST, RECOMMENDED = "oldest", "newest", "recommended"
    CHOICES = ((OLDEST, "Oldest"), (NEWEST, "Newest"), (RECOMMENDED, "Most recommended"))
    DEFAULT = OLDEST

    @classmethod
    def roots(cls, roots: list[Shape], sort: str) -> list[Shape]:
        """`roots` (oldest first) in the order `sort` asks for."""
        if sort == cls.NEWEST:
            return roots[::-1]
        if sort == cls.RECOMMENDED:
            # A placeholder's own count is not public: it sorts as none.
            return sorted(
                roots,
                key=lambda c: -c.recommendations if c.status == Comment.Status.APPROVED else 0,
            )  # stable: equal counts stay oldest first
        return roots


def comment_anchor(pk: int, page: int, sort: str = Sort.DEFAULT) -> str:
    """Where comment `pk` is on the article's page ("?cpage=2#comment-12"), given the
    page of the discussion it is on."""
    query = discussion_query(page=page, sort=sort)
    return f"{'?' if query else ''}{query}#comment-{pk}"


def discussion_query(*, page: int = 1, sort: str = Sort.DEFAULT) -> str:
    """The query string (without "?") of a discussion's page in a given order;
    the parameters in the order plumbing.pagecache names copies by."""
    asked = [("cpage", page)] if page > 1 else []
    if sort != Sort.DEFAULT:
        asked.append(("sort", sort))
    return urlencode(asked)


@dataclass
class Entry:
    """One comment in display order, with what the template needs to nest it."""

    comment: ThreadComment  # a Shape until the page's comments are loaded
    depth: int
    # A removed, spam or pending comment kept only so its approved replies make sense.
    placeholder: bool = False
    # The reader's own reply, not yet approved: shown to them alone.
    awaiting_moderation: bool = False
    # The reader's own reply, which they may still edit or delete (until load_thread
    # reads its date: which they may, if its time is not up).
    editable: bool = False
    # Sent from the reader's browser: nothing for them to recommend.
    own: bool = False
    has_children: bool = False
    closes: range = field(default_factory=lambda: range(0))


@dataclass
class Thread:
    entries: list[Entry]  # the current page, depth first
    count: int  # approved comments under the article
    page: Page
    approved: dict[int, Shape]  # every approved comment of the article, by id
    tree: _Tree
    root_pages: dict[int, int]  # top-level comment id -> the page it is on
    sort: str = Sort.DEFAULT
    loaded: dict[int, ThreadComment] = field(default_factory=dict)  # what load_thread read

    def page_of(self, pk: int) -> int | None:
        """The page that shows comment `pk` (None if the reader does not see it)."""
        root = self.tree.root_of(pk)
        return None if root is None else self.root_pages[root.pk]

    @property
    def pick_ids(self) -> list[int]:
        """The editors' picks among the published comments."""
        return [c.pk for c in self.approved.values() if c.picked]

    @property
    def picks(self) -> list[ThreadComment]:
        """The editors' picks (load_thread reads them), in the order they were made."""
        picked = [comment for pk in self.pick_ids if (comment := self.published(pk))]
        return sorted(picked, key=lambda comment: (comment.picked_at or _NEVER, comment.pk))

    def published(self, pk: int | None) -> ThreadComment | None:
        """Comment `pk` if it was loaded (load_thread's `also`) and is published, by
        both queries: one unpublished between them is not shown."""
        comment = self.loaded.get(pk) if pk in self.approved else None
        return comment if comment is not None and comment.status == APPROVED else None

    def query(self, page: int, *, sort: str | None = None) -> str:
        """The query string ("?...") of page `page` of the discussion, in this order
        or in `sort`; "" for the first page in the default order."""
        query = discussion_query(page=page, sort=sort or self.sort)
        return f"?{query}" if query else ""

    def link_to(self, pk: int) -> str:
        """The address, on this article's page, of comment `pk`."""
        return comment_anchor(pk, self.page_of(pk) or 1, self.sort)

    @property
    def is_paginated(self) -> bool:
        return self.page.paginator.num_pages > 1

    @property
    def page_links(self) -> list[tuple[int, str]]:
        """Each page number, and its query string in this order."""
        return [(number, self.query(number)) for number in self.page.paginator.page_range]

    @property
    def page_query(self) -> str:
        """The query string that keeps a link on this comments page, in this order."""
        return self.query(self.page.number)

    @property
    def reply_query(self) -> str:
        """The start of a Reply link's query string, keeping this page."""
        query = self.page_query
        return f"{query}&" if query else "?"


def _visible(own_ids=frozenset()):
    has_replies = Exists(Comment.objects.filter(parent=OuterRef("pk")))
    wanted = Q(status=Comment.Status.APPROVED) | Q(has_replies)
    if own_ids:
        wanted |= Q(pk__in=own_ids, status__in=OWN_VISIBLE_STATUSES)
    return (
        Comment.objects.filter(wanted)
        .annotate(picked=ExpressionWrapper(Q(picked_at__isnull=False), BooleanField()))
        .order_by("created_at", "id")
        .values_list(*SHAPE_FIELDS)
    )


@functools.cache
def _visible_to_everyone():
    # What every reader without a pending reply of their own sees; built once per
    # process, as building it costs more than running it. Each page filters a copy.
    return _visible()


def _shapes(article, own_ids) -> list[Shape]:
    rows = _visible(own_ids) if own_ids else _visible_to_everyone()
    return [Shape._make(values) for values in rows.for_article(article)]


def thread_layout(article, *, own_ids=frozenset(), page_number=1, sort=Sort.DEFAULT) -> Thread:
    """The discussion under `article` as seen by a reader who wrote `own_ids`, laid
    out from its shape alone (one query): where each comment is, but none of its
    text. Entries hold Shapes.

    Approved comments are shown; the reader's own pending ones are shown marked;
    a comment that is no longer approved but has visible replies stays as a
    placeholder. Top-level threads are in the order `sort` names (Sort) and
    paginated (COMMENTS_PER_PAGE); a page beyond the last raises
    django.core.paginator.InvalidPage.
    """
    return _lay_out(_shapes(article, own_ids), own_ids, page_number, sort)


def page_of(article, pk: int, *, own_ids=frozenset(), sort=Sort.DEFAULT) -> int | None:
    """The page of the discussion that shows comment `pk` to a reader who wrote
    `own_ids` (None if they do not see it), as thread_layout would place it.
    For where only a place is wanted (a permalink, the way back after posting
    or recommending): one query, and only the top-level threads are ordered."""
    tree = _Tree(_shapes(article, own_ids), own_ids)
    root = tree.root_of(pk)
    return None if root is None else _root_pages(tree.roots(sort))[root.pk]


def link_to(article, pk: int, *, own_ids=frozenset(), sort=Sort.DEFAULT) -> str:
    """Thread.link_to, from page_of: the address of comment `pk` on the article's page."""
    return comment_anchor(pk, page_of(article, pk, own_ids=own_ids, sort=sort) or 1, sort)


def load_thread(
    article, *, own_ids=frozenset(), page_number=1, sort=Sort.DEFAULT, also=()
) -> Thread:
    """thread_layout, and what the page shows of its comments (a second query):
    those on the page, the editors' picks, and any published comment in `also`."""
    thread = thread_layout(article, own_ids=own_ids, page_number=page_number, sort=sort)
    wanted = {entry.comment.pk for entry in thread.entries}
    wanted.update(thread.pick_ids, (pk for pk in also if pk in thread.approved))
    if wanted:
        rows = Comment.objects.filter(article=article, pk__in=wanted).values_list(*DISPLAY_FIELDS)
        thread.loaded = {row[0]: ThreadComment._make(row) for row in rows}
    editable_since = timezone.now() - timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)
    entries = []
    for entry in thread.entries:
        comment = thread.loaded.get(entry.comment.pk)
        if comment is None:  # deleted since the first query
            continue
        entry.comment = comment
        # Its status as the second query read it: what was published or the reader's
        # own a moment ago and is not any longer is shown as a placeholder.
        own = comment.pk in own_ids and comment.status in OWN_VISIBLE_STATUSES
        entry.awaiting_moderation = own
        entry.placeholder = comment.status != APPROVED and not own
        entry.editable = (
            entry.editable
            and comment.status in EDITABLE_STATUSES
            and comment.created_at > editable_since
        )
        entries.append(entry)
    thread.entries = _nested(entries)
    return thread


class _Tree:
    """A discussion's shape as a tree, and which of its comments a reader sees."""

    def __init__(self, rows: list[Shape], own_ids):
        self.by_id = {comment.pk: comment for comment in rows}
        self.children: dict[int | None, list[Shape]] = defaultdict(list)
        for comment in rows:
            if comment.parent_id is None or comment.parent_id in self.by_id:
                self.children[comment.parent_id].append(comment)
        self.own_ids = own_ids
        self.shown: dict[int, bool] = {}

    def is_own(self, comment: Shape) -> bool:
        return comment.pk in self.own_ids and comment.status in OWN_VISIBLE_STATUSES

    def is_shown(self, comment: Shape) -> bool:
        # Children first: a thread is at most COMMENTS_MAX_DEPTH deep.
        shown = self.shown.get(comment.pk)
        if shown is None:
            shown = self.shown[comment.pk] = (
                comment.status == APPROVED
                or self.is_own(comment)
                or any(self.is_shown(child) for child in self.children[comment.pk])
            )
        return shown

    def roots(self, sort: str) -> list[Shape]:
        """The top-level comments the reader sees, in the order `sort` names."""
        return Sort.roots([root for root in self.children[None] if self.is_shown(root)], sort)

    def root_of(self, pk: int) -> Shape | None:
        """The top-level comment of comment `pk`'s thread, if the reader sees `pk`."""
        comment = self.by_id.get(pk)
        if comment is None or not self.is_shown(comment):
            return None
        while comment.parent_id is not None:
            comment = self.by_id.get(comment.parent_id)
            if comment is None:  # under a comment nobody sees: not in the thread
                return None
        return comment


def _root_pages(roots: list[Shape]) -> dict[int, int]:
    """The page each top-level comment is on, `roots` in the order shown."""
    per_page = max(settings.COMMENTS_PER_PAGE, 1)
    return {root.pk: index // per_page + 1 for index, root in enumerate(roots)}


def _lay_out(rows: list[Shape], own_ids, page_number, sort=Sort.DEFAULT) -> Thread:
    tree = _Tree(rows, own_ids)
    children, is_own, is_shown = tree.children, tree.is_own, tree.is_shown

    def may_be_editable(comment: Shape) -> bool:
        # Whether its time is not up yet is for load_thread, which reads its date.
        return (
            settings.COMMENTS_EDIT_MINUTES > 0
            and comment.pk in own_ids
            and comment.status in EDITABLE_STATUSES
        )

    roots = tree.roots(sort)
    # InvalidPage beyond the last.
    page = Paginator(roots, max(settings.COMMENTS_PER_PAGE, 1)).page(page_number)

    entries: list[Entry] = []

    def walk(comment: Shape, depth: int) -> None:
        entries.append(
            Entry(
                comment=comment,
                depth=depth,
                placeholder=comment.status != APPROVED and not is_own(comment),
                awaiting_moderation=is_own(comment),
                editable=may_be_editable(comment),
                own=comment.pk in own_ids,
            )
        )
        for child in children[comment.pk]:
            if is_shown(child):
                walk(child, depth + 1)

    # Only the page's threads are walked; any other comment's place is found
    # from its thread's top (Thread.page_of).
    for root in page.object_list:
        walk(root, 0)

    approved = {c.pk: c for c in rows if c.status == Comment.Status.APPROVED}
    return Thread(
        entries=_nested(entries),
        count=len(approved),
        page=page,
        approved=approved,
        tree=tree,
        root_pages=_root_pages(roots),
        sort=sort,
    )


def _nested(entries: list[Entry]) -> list[Entry]:
    """`entries` told where each opens and closes a list of answers."""
    for index, entry in enumerate(entries):
        next_depth = entries[index + 1].depth if index + 1 < len(entries) else 0
        entry.has_children = next_depth > entry.depth
        entry.closes = range(max(entry.depth - next_depth, 0))
    return entries
