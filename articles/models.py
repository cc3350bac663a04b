from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone

from plumbing.text import (
    reject_control_characters,
    reject_control_characters_in_text,
    without_control_characters,
)

from .sanitize import clean_article_body


class Section(models.Model):
    """A desk of the paper (World, Science, ...); every article belongs to one."""

    name = models.CharField(max_length=100, unique=True, validators=[reject_control_characters])
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, validators=[reject_control_characters_in_text])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True, validators=[reject_control_characters])
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see. Article.is_public is the same rule for one row."""
        # A future published_at means "scheduled": hidden until that moment, with
        # no job needed to reveal it.
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_listing(self):
        """Everything a teaser shows, in a fixed number of queries."""
        return self.select_related("section", "author").prefetch_related("tags")

    def next_change(self) -> float | None:
        """The next moment (Unix time) at which a page changes by itself: an
        article going public, or its comments closing."""
        now = timezone.now()
        moments = self.filter(status=Article.Status.PUBLISHED).aggregate(
            publication=Min("published_at", filter=Q(published_at__gt=now)),
            closing=Min("comments_close_at", filter=Q(comments_close_at__gt=now)),
        )
        upcoming = [moment.timestamp() for moment in moments.values() if moment is not None]
        return min(upcoming, default=None)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    # Every text that feeds and pages show is text: no control characters, no
    # noncharacters (plumbing.text). The body is cleaned instead (sanitize.py).
    title = models.CharField(max_length=200, validators=[reject_control_characters])
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(
        max_length=300,
        blank=True,
        validators=[reject_control_characters_in_text],
        help_text="One or two sentences; used for teasers, search engines and link previews.",
    )
    body = models.TextField(
        help_text="HTML. Paragraphs, headings, lists, quotes, links, emphasis, figures and "
        "images (http/https) are kept; anything else is removed on save."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    byline = models.CharField(
        max_length=200,
        blank=True,
        validators=[reject_control_characters],
        help_text="Shown instead of the author's name when set.",
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A date in the future schedules the article: it stays hidden until then.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    allow_comments = models.BooleanField(default=True)
    comments_close_at = models.DateTimeField(
        null=True, blank=True, help_text="Leave empty to keep comments open."
    )
    # Where an imported article came from ("wordpress:<site>:post:<id>"), so
    # importing the same export again updates it instead of adding another.
    import_key = models.CharField(max_length=250, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    # What a save remembers of the row as it stood in the database before it.
    STORED_FIELDS = ("status", "slug", "published_at")

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # The front page, the feed and the sitemap: newest public articles first.
            models.Index(fields=["status", "-published_at"], name="article_public_idx"),
            models.Index(fields=["section", "status", "-published_at"], name="article_section_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["import_key"],
                condition=~models.Q(import_key=""),
                name="one_article_per_import_key",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = clean_article_body(self.body)
        if self.status == self.Status.PUBLISHED:
            if self.published_at is None:
                self.published_at = timezone.now()
            first_publication = getattr(self, "_stored", {}).get("status") != self.Status.PUBLISHED
            if first_publication and self.comments_close_at is None:
                self.comments_close_at = self.default_comments_close_at()
        super().save(*args, **kwargs)
        self._stored = {name: getattr(self, name) for name in self.STORED_FIELDS}

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the database holds, so a save can tell a first publication or a
        # new slug apart.
        instance._stored = {name: instance.__dict__.get(name) for name in cls.STORED_FIELDS}
        return instance

    @property
    def was_public(self) -> bool:
        """is_public as the row stood in the database before this save."""
        stored = getattr(self, "_stored", {})
        return self._public(stored.get("status"), stored.get("published_at"))

    @property
    def stored_slug(self) -> str | None:
        """The slug in the database before this save (None for a new article)."""
        return getattr(self, "_stored", {}).get("slug")

    @property
    def is_public(self) -> bool:
        """ArticleQuerySet.published() for this row (a test holds the two together)."""
        return self._public(self.status, self.published_at)

    @classmethod
    def _public(cls, status: str | None, published_at: datetime | None) -> bool:
        return (
            status == cls.Status.PUBLISHED
            and published_at is not None
            and published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        """Published, but waiting for its moment."""
        return self.status == self.Status.PUBLISHED and not self.is_public

    @property
    def display_byline(self) -> str:
        """The byline readers see: the article's own, else its author's full name,
        else the site's. Never a login name, which would tell half of a login."""
        if self.byline:
            return self.byline
        # Names come from Django's user forms, which let any character through.
        name = without_control_characters(self.author.get_full_name()) if self.author_id else ""
        return name.strip() or settings.SITE_NAME

    def default_comments_close_at(self) -> datetime | None:
        days = settings.COMMENTS_CLOSE_AFTER_DAYS
        if not days or self.published_at is None:
            return None
        return self.published_at + timedelta(days=days)

    def accepts_comments(self, now: datetime | None = None) -> bool:
        """Whether readers may reply now: the one rule behind "Comments are closed"."""
        now = now or timezone.now()
        if not (self.is_public and self.allow_comments):
            return False
        return self.comments_close_at is None or now < self.comments_close_at


class Redirect(models.Model):
    """An old address of an article (from the site it was imported from) that
    answers 301 to where the article is now: its page, or its comment feed.

    `old_path` is a path ("/2018/10/20/keyboard-navigation/") or the root with
    the old site's post number ("/?p=1724").
    """

    old_path = models.CharField(max_length=500, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    to_feed = models.BooleanField(
        "to the comment feed", default=False, help_text="Lead to the article's comment feed."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_path"]

    def __str__(self):
        return self.old_path

    @property
    def target(self) -> str:
        if self.to_feed:
            return reverse("comments:article-feed", kwargs={"slug": self.article.slug})
        return self.article.get_absolute_url()
