"""Who may write through the API from where."""

from urllib.parse import urlsplit

from django.conf import settings
from rest_framework import exceptions, permissions


class NoCrossSiteWrites(permissions.BasePermission):
    """Anonymous writes (a comment, a report, a recommendation) come from API
    clients or from this site's own pages, never from another site's page.

    A page elsewhere could otherwise make its visitors' browsers post for it,
    each from the visitor's own address: the bounds per address would count
    every visitor anew. Browsers say where a request comes from (Sec-Fetch-Site,
    Origin); clients that are not browsers send neither and are not affected.
    """

    message = "Requests from other sites' pages cannot write here."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        origin = request.headers.get("Origin")
        cross_site = request.headers.get("Sec-Fetch-Site") == "cross-site" or (
            origin is not None and origin not in _trusted_origins(request)
        )
        if cross_site:
            # A 403 whoever asks: signing in would not make it allowed (DRF answers
            # a refused anonymous request with 401 otherwise).
            raise exceptions.PermissionDenied(self.message)
        return True


def _trusted_origins(request) -> set[str]:
    site = urlsplit(settings.SITE_URL)
    return {
        f"{site.scheme}://{site.netloc}",
        f"{request.scheme}://{request.get_host()}",
        *settings.CSRF_TRUSTED_ORIGINS,
    }
