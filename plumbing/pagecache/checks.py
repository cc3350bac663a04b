from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register
from django.http.request import validate_host


@register(deploy=True)
def shared_cache(app_configs, **kwargs):
    """Rate limits and flood counts must be shared by every process."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The cache is private to each process.",
                hint="Leave CACHE_URL unset (a cache directory every process on this host "
                "shares) or set it to redis://...: rate limits and flood counts must be the "
                "same in every worker. Pages stay correct either way.",
                id="pagecache.W001",
            )
        ]
    return []


@register(deploy=True)
def canonical_site(app_configs, **kwargs):
    """Shared copies are made for NEWSROOM_SITE_URL only: it must be a host the site serves."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    if not validate_host(host, settings.ALLOWED_HOSTS):
        return [
            Warning(
                f"NEWSROOM_SITE_URL ({settings.SITE_URL}) names a host that "
                "DJANGO_ALLOWED_HOSTS does not allow.",
                hint="Set NEWSROOM_SITE_URL to the address readers use: links in e-mails "
                "point there, and only answers made for it are shared among readers.",
                id="pagecache.W002",
            )
        ]
    return []
