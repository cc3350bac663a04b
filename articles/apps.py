from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from plumbing.pagecache import versions

        from . import services  # noqa: F401  (connects the receiver for authors' names)
        from .models import Article

        versions.on_moments(Article.objects.next_change)
