from functools import partial

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import versioning
from .models import Article, Section, Tag

# What a page shows of its author: saving these (not last_login) changes pages.
SHOWN_USER_FIELDS = {"first_name", "last_name", "username"}


def now_and_after_commit(func, *args) -> None:
    """Run `func` now, and once more when the transaction commits.

    Now: reads in this transaction (and tests) see the change. After commit: a
    reader in another process who cached the old state between the two calls
    (it was still the committed one) gets a fresh version, so that copy is
    never served.
    """
    func(*args)
    transaction.on_commit(partial(func, *args), robust=True)


def bump_article_version(article_id: int) -> None:
    now_and_after_commit(versioning.bump_article, article_id)


def _article_saved(article: Article, old_slug: str | None) -> None:
    versioning.bump_article(article.pk)
    versioning.reset_epoch()  # its dates may have moved
    if old_slug and old_slug != article.slug:
        versioning.forget_slug(old_slug)
    versioning.remember_article(article)


def _article_deleted(article_id: int, slug: str) -> None:
    versioning.bump_article(article_id)
    versioning.reset_epoch()
    versioning.forget_slug(slug)


@receiver(post_save, sender=Article)
def article_saved(sender, instance, **kwargs):
    now_and_after_commit(_article_saved, instance, instance.stored_slug)


@receiver(post_delete, sender=Article)
def article_deleted(sender, instance, **kwargs):
    now_and_after_commit(_article_deleted, instance.pk, instance.slug)


@receiver(m2m_changed, sender=Article.tags.through)
def article_tags_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Article):
        bump_article_version(instance.pk)


@receiver([post_save, post_delete], sender=Section)
@receiver([post_save, post_delete], sender=Tag)
def taxonomy_changed(sender, **kwargs):
    # Shown on many pages (navigation, teasers, every article of the section).
    now_and_after_commit(versioning.reset_epoch)


@receiver(post_save, sender=get_user_model())
def author_changed(sender, update_fields=None, **kwargs):
    if update_fields is None or SHOWN_USER_FIELDS & set(update_fields):
        now_and_after_commit(versioning.reset_epoch)
