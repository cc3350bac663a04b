from django.conf import settings
from django.core.checks import Warning, register


@register(deploy=True)
def shared_cache(app_configs, **kwargs):
    """Versions, throttles and flood counts must be shared by every process."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The cache is private to each process.",
                hint="Set CACHE_URL to a shared cache (redis://...) in production: page "
                "versions, rate limits and flood counts must be the same in every worker.",
                id="newsroom.W001",
            )
        ]
    return []
