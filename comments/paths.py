"""Addresses of a comment's pages, made without reverse() per comment."""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


class CommentPath:
    """The path of one of a comment's pages (its permalink, its report form), for
    any slug and id.

    reverse() is called once per URL configuration with stand-ins, and the
    address is cut around them once; each comment fills the gaps. Nothing is
    ever searched for in the finished address, so a slug that happens to
    contain a stand-in's text is written as it is (a slug with 999999999 once
    came out wrong, issue #10).
    """

    SLUG, PK = "slug-stand-in", 999999999

    def __init__(self, url_name: str):
        path = reverse(url_name, kwargs={"slug": self.SLUG, "pk": self.PK})
        before, _, rest = path.partition(self.SLUG)
        middle, _, after = rest.partition(str(self.PK))
        self.parts = (before, middle, after)

    def path(self, slug: str, pk: int) -> str:
        before, middle, after = self.parts
        return f"{before}{slug}{middle}{pk}{after}"


@functools.cache
def _paths(url_name, root_urlconf, urlconf, script_prefix) -> CommentPath:
    return CommentPath(url_name)


def comment_path(url_name: str) -> CommentPath:
    """The CommentPath of `url_name` under the URL configuration now in force."""
    return _paths(url_name, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())
