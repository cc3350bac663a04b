"""Settings that take a service away, as an outage would."""

UNREACHABLE_CACHE = {
    # Nothing listens on port 1: every call fails at once.
    "default": {
        "BACKEND": "plumbing.rediscache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}
