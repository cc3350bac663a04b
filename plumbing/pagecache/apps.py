from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "plumbing.pagecache"
    label = "pagecache"
    verbose_name = "Cache for anonymous readers"

    def ready(self):
        from . import checks  # noqa: F401
