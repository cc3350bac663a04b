import logging

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .http import wants_json
from .store import store

logger = logging.getLogger(__name__)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: the database does not answer")
        return False


@never_cache
@require_safe
def healthz(request):
    """For load balancers: 503 when the database does not answer, else 200.

    The shared cache is reported but does not fail the check: without it the
    site serves every reader from the database ("degraded"), and taking every
    host out of rotation for it would turn a slow site into no site.
    """
    database = _database_answers()
    cache = store.probe()
    if not database:
        status = "error"
    elif not cache:
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {
            "status": status,
            "database": "ok" if database else "error",
            "cache": "ok" if cache else "unavailable",
        },
        status=503 if status == "error" else 200,
    )


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
