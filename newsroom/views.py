import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database_answers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache_answers() -> bool:
    # A unique key, so two processes probing at once cannot see each other's value.
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        return cache.get(key) == "ok"
    finally:
        cache.delete(key)


@never_cache
@require_safe
def healthz(request):
    """200 when the database and the cache both answer, 503 otherwise."""
    checks = {}
    for name, probe in (("database", _database_answers), ("cache", _cache_answers)):
        try:
            checks[name] = "ok" if probe() else "error"
        except Exception:
            logger.exception("Health check of the %s failed", name)
            checks[name] = "error"
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def wants_json(request) -> bool:
    return request.path.startswith("/api/") or "json" in request.headers.get("accept", "")


def csrf_failure(request, reason=""):
    """403 for a form whose CSRF token did not check out, without losing the text.

    The usual cause is an expired or blocked cookie, not an attack; the reader
    is told how to send the form again, and a reply they typed is shown back
    (escaped) so they can copy it.
    """
    logger.warning("CSRF check failed", extra={"reason": reason, "path": request.path})
    if wants_json(request):
        return JsonResponse(
            {"detail": "CSRF check failed. Reload the page and try again."}, status=403
        )
    unsent_text = request.POST.get("body", "") if request.method == "POST" else ""
    return render(request, "403_csrf.html", {"unsent_text": unsent_text[:20000]}, status=403)
