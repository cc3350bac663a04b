from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Article
from .versioning import bump_article_version


def bump_after_commit(article_id: int) -> None:
    # After commit: a reader who fetches the page at once must see the new state.
    transaction.on_commit(partial(bump_article_version, article_id), robust=True)


@receiver([post_save, post_delete], sender=Article)
def article_changed(sender, instance, **kwargs):
    bump_after_commit(instance.pk)


@receiver(m2m_changed, sender=Article.tags.through)
def article_tags_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Article):
        bump_after_commit(instance.pk)
