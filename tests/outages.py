"""Settings that take a service away, as an outage would."""

UNREACHABLE_CACHE = {
    # Nothing listens on port 1: every call fails at once.
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}
