from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import versioning
from .models import Article


def bump_after_commit(article_id: int) -> None:
    # After commit: a reader who fetches the page at once must see the new state.
    transaction.on_commit(partial(versioning.bump_article, article_id), robust=True)


def _article_saved(article_id: int, slug: str, old_slug: str | None) -> None:
    versioning.bump_article(article_id)
    versioning.reset_schedule()
    if old_slug and old_slug != slug:
        versioning.remember_slug(old_slug, None)
    versioning.remember_slug(slug, article_id)


def _article_deleted(article_id: int, slug: str) -> None:
    versioning.bump_article(article_id)
    versioning.reset_schedule()
    versioning.remember_slug(slug, None)


@receiver(post_save, sender=Article)
def article_saved(sender, instance, **kwargs):
    transaction.on_commit(
        partial(_article_saved, instance.pk, instance.slug, instance.stored_slug), robust=True
    )


@receiver(post_delete, sender=Article)
def article_deleted(sender, instance, **kwargs):
    transaction.on_commit(partial(_article_deleted, instance.pk, instance.slug), robust=True)


@receiver(m2m_changed, sender=Article.tags.through)
def article_tags_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Article):
        bump_after_commit(instance.pk)
