import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import JsonResponse
from django.template.response import TemplateResponse

from .http import wants_json


class RequestSizeLimitMiddleware:
    """Refuse a request body over DATA_UPLOAD_MAX_MEMORY_SIZE before anything reads it.

    Django checks the limit only when a view reads request.body or POST; a
    parser that reads the stream itself (the API's JSON parser) would not be
    stopped. Here the declared length is enough to answer 413 at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            message = f"The request is too large: the limit is {limit // 1024} KiB."
            if wants_json(request):
                return JsonResponse({"detail": message}, status=413)
            return TemplateResponse(request, "413.html", {"message": message}, status=413).render()
        return self.get_response(request)


# What django-csp's view decorators set on a response to change its policy.
POLICY_CHANGES = (
    "_csp_config", "_csp_update", "_csp_replace",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
)  # fmt: skip


_POLICY = "CONTENT_SECURITY_POLICY"


@functools.cache
def plain_policies() -> tuple[str, str]:
    """The policy and report-only policy headers with no nonce and no change."""
    return build_policy(), build_policy(report_only=True)


@receiver(setting_changed)
def _forget_plain_policies(setting, **kwargs):
    if setting.startswith(_POLICY):
        plain_policies.cache_clear()


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the site's plain policy built once.

    django-csp assembles the header from settings for every response, which
    costs more than answering a shared copy. Most responses (JSON, shared
    pages, redirects) use no nonce and no decorator's change, so their header
    is always the same string. Those get it from plain_policies(); the others
    are left to django-csp, as are its rules on exempt and excluded responses.
    """

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in POLICY_CHANGES
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response  # Django's debug pages, as django-csp leaves them
        policy, report_only = plain_policies()
        for header, value, exempt, setting in (
            (HEADER, policy, "_csp_exempt", _POLICY),
            (
                HEADER_REPORT_ONLY,
                report_only,
                "_csp_exempt_ro",
                "CONTENT_SECURITY_POLICY_REPORT_ONLY",
            ),
        ):
            excluded = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            if (
                value
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(tuple(excluded))
            ):
                response[header] = value
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
