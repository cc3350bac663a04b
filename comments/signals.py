from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.signals import bump_article_version, now_and_after_commit

from .models import BlockedTerm, BlockedTermQuerySet, Comment


@receiver([post_save, post_delete], sender=Comment)
def comment_changed(sender, instance, created=False, **kwargs):
    # Every path (submission, moderation, admin edits, deletions) saves or deletes
    # through the model, so this one receiver keeps cached pages honest.
    if created and instance.status != Comment.Status.APPROVED:
        # Shows on no shared page (its author's own pages are never shared), so a
        # wave of held or spam replies leaves every cached page in place.
        return
    bump_article_version(instance.article_id)


@receiver([post_save, post_delete], sender=BlockedTerm)
def blocklist_changed(sender, **kwargs):
    now_and_after_commit(BlockedTermQuerySet.forget_cached)
