"""Changes to articles, sections and tags that readers must see at once.

The admin, the demo loader and anything else that writes articles comes
through here, so each change also moves the content versions the pages for
anonymous readers are kept under (plumbing.pagecache), in the same
transaction as the change itself.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver

from plumbing.pagecache import versions

from .models import Article

# Scopes of content (see plumbing/pagecache/versions.py). Lists of articles show
# "articles"; one article's page and its discussion show "article:<slug>". Lists
# of comments across articles ("comments", kept by the comments app) show
# article titles too, so an article's change moves it as well.
ARTICLES = "articles"
COMMENTS = "comments"


def article_scope(slug: str) -> str:
    return f"article:{slug}"


def article_changed(
    article: Article, *, old_slug: str | None = None, was_public: bool = False
) -> None:
    """`article` was saved (its tags too): the pages that show it change.

    Lists change only if readers could see it before or can now: saving a
    draft moves no public ETag. Its publication or closing date may have moved,
    so the next moment the site changes by itself is looked for again (first:
    every write takes the epoch's row before the others, in one order).
    """
    versions.reschedule()
    scopes = [article_scope(article.slug)]
    if old_slug and old_slug != article.slug:
        scopes.append(article_scope(old_slug))
    if was_public or article.is_public:
        scopes += [ARTICLES, COMMENTS]
    versions.bump(*scopes)


def save_article(article: Article, *, tags=None) -> None:
    """Save `article` (and set its tags) and show the change to readers."""
    with transaction.atomic():
        old_slug, was_public = article.stored_slug, article.was_public
        article.save()
        if tags is not None:
            article.tags.set(tags)
        article_changed(article, old_slug=old_slug, was_public=was_public)


def set_publication(articles, status: str) -> list[Article]:
    """Publish or unpublish each of `articles` that is not in `status` yet.

    Saved one by one, so each published article gets its publication date and
    its comment window.
    """
    with transaction.atomic():
        changed = list(articles.exclude(status=status))
        for article in changed:
            was_public = article.was_public
            article.status = status
            article.save()
            article_changed(article, was_public=was_public)
    return changed


def delete_articles(articles) -> None:
    with transaction.atomic():
        slugs = list(articles.values_list("slug", flat=True))
        seen = articles.published().exists()
        articles.delete()
        versions.reschedule()
        versions.bump(*map(article_scope, slugs), *([ARTICLES, COMMENTS] if seen else []))


def taxonomy_changed() -> None:
    """A section or tag was added, renamed or removed: it shows on every page."""
    versions.bump(versions.EPOCH)


# What pages show of an author (Article.display_byline).
SHOWN_USER_FIELDS = ("first_name", "last_name")


def _shown_name(user) -> tuple:
    return tuple(getattr(user, field) for field in SHOWN_USER_FIELDS)


# Users are written by Django's own admin and auth views, which call no service of
# ours: these receivers stand in for one. Only a byline that readers see, changed
# or gone, moves the epoch; a login or a new user moves nothing.


@receiver(pre_save, sender=get_user_model())
def _remember_shown_name(sender, instance, update_fields=None, **kwargs):
    if instance.pk and (update_fields is None or set(SHOWN_USER_FIELDS) & set(update_fields)):
        stored = sender.objects.filter(pk=instance.pk).values_list(*SHOWN_USER_FIELDS).first()
        instance._shown_name_before = stored


@receiver(post_save, sender=get_user_model())
def _author_renamed(sender, instance, created, **kwargs):
    before = instance.__dict__.pop("_shown_name_before", None)
    if before not in (None, _shown_name(instance)) and instance.articles.published().exists():
        versions.bump(versions.EPOCH)


@receiver(pre_delete, sender=get_user_model())
def _author_deleted(sender, instance, **kwargs):
    if instance.articles.published().exists():  # their bylines become the site's name
        versions.bump(versions.EPOCH)
