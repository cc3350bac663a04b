"""Old addresses of imported articles answer 301 to where the articles are now.

A site that moves to Newsroom keeps its links in search engines, other sites
and readers' bookmarks. Each is stored as a Redirect (the importer writes
them, editors change them in the admin); none is guessed from the address.
"""

import re
from urllib.parse import unquote, urlsplit

from django.http import HttpResponsePermanentRedirect, QueryDict
from django.utils.cache import patch_cache_control

from .models import Redirect

# The query parameters WordPress answers on its root with one post or page.
POST_NUMBER_PARAMETERS = ("p", "page_id")
# WordPress numbers posts with an unsigned 64-bit integer: at most 20 digits.
_MAX_DIGITS = 20
MAX_LENGTH = Redirect._meta.get_field("old_path").max_length
_NOT_IN_A_PATH = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
# A browser may keep a 301 for good; an editor who corrects a redirect should
# not have to wait for every reader's browser to forget the wrong one.
_KEEP_SECONDS = 24 * 3600


def post_number_path(query: QueryDict) -> str | None:
    """The stored form of a root address that names one post by its number
    ("/?p=1724"), or None when the query names none, or not exactly one.

    Numbers are read as WordPress reads them ("p=007" is post 7); anything
    else (several values, letters, a number longer than WordPress makes)
    names nothing, and the front page answers as for any unknown parameter.
    """
    for name in POST_NUMBER_PARAMETERS:
        values = query.getlist(name)
        if values:
            if len(values) > 1:
                return None
            value = values[0]
            if not (value.isascii() and value.isdigit() and len(value) <= _MAX_DIGITS):
                return None
            return f"/?{name}={int(value)}"
    return None


def old_path_problem(old_path: str) -> str | None:
    """Why `old_path` could never be the address of a request, or None when it could.

    The admin refuses such a path, and the middleware looks up none that
    fails: one rule for what is stored and what is asked for.
    """
    if len(old_path) > MAX_LENGTH:
        return f"An old address has at most {MAX_LENGTH} characters."
    if not old_path.startswith("/") or old_path.startswith("//"):
        return 'Give the path only, starting with "/": no "http://" and no host name.'
    if old_path == "/":
        return "The root is the front page, never an old address."
    if _NOT_IN_A_PATH.search(old_path):
        return "An old address has no spaces and no control characters."
    if "#" in old_path:
        return 'Browsers never send what follows "#": leave it out.'
    if unquote(old_path) != old_path:
        # Django gives a view the decoded path, and that is what is looked up.
        return 'Write the address as readers see it: "/café/", not "/caf%C3%A9/".'
    path, question_mark, query = old_path.partition("?")
    if question_mark and (path != "/" or post_number_path(QueryDict(query)) != old_path):
        return 'The only query an old address may have is a post number on the root: "/?p=123".'
    return None


def paths_to_try(path: str) -> list[str]:
    """The stored paths a request for `path` may have been meant for: itself, and
    itself with the trailing slash added or taken away, as WordPress answers both."""
    if len(path) > MAX_LENGTH + 1:
        return []  # nothing that long is stored: no query for a stranger's junk
    candidates = [path, path[:-1]] if path.endswith("/") else [path, f"{path}/"]
    return [candidate for candidate in candidates if old_path_problem(candidate) is None]


class OldLinksMiddleware:
    """Answer an old address of an article with a 301 to the article or its comment feed.

    Costs nothing for other requests: a root address with a post number
    ("/?p=1724") is looked up before anything else, and a path only once the
    site has answered 404 for it (one query). It sits above the shared-answer
    middleware, which answers the root from its shared copy whatever unknown
    parameter comes with it; and so no redirect is ever kept as a shared
    answer. An article readers may not see (a draft, a scheduled one) has no
    old address: the request is answered as if none were stored, so the new
    slug does not leak before publication.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reading = request.method in ("GET", "HEAD")
        if reading and request.path == "/" and request.META.get("QUERY_STRING"):
            old_path = post_number_path(request.GET)
            if old_path is not None:
                redirect = self.find([old_path])
                if redirect is not None:
                    return redirect
        response = self.get_response(request)
        if reading and response.status_code == 404:
            # The query string is dropped: it belonged to the old site.
            return self.find(paths_to_try(request.path)) or response
        return response

    def find(self, old_paths: list[str]) -> HttpResponsePermanentRedirect | None:
        if not old_paths:
            return None
        # Two candidates can both be stored ("/x" and "/x/"): the exact one wins.
        found = {
            redirect.old_path: redirect
            for redirect in Redirect.objects.filter(old_path__in=old_paths).select_related(
                "article"
            )
        }
        redirect = next((found[path] for path in old_paths if path in found), None)
        if redirect is None or not redirect.article.is_public:
            return None
        response = HttpResponsePermanentRedirect(redirect.target)
        patch_cache_control(response, max_age=_KEEP_SECONDS)
        return response


def article_for_link(link: str):
    """The article an address from elsewhere (a Disqus thread's link, say) is
    about: through a stored old address, or its own address here; None if
    neither. Drafts count: an import may come before publication."""
    from django.urls import Resolver404, resolve

    from .models import Article

    try:
        parts = urlsplit(link.strip())
    except ValueError:  # "http://[x/": no address at all
        return None
    path = unquote(parts.path) or "/"
    wanted = [post_number_path(QueryDict(parts.query))] if path == "/" else paths_to_try(path)
    found = Redirect.objects.filter(old_path__in=[w for w in wanted if w], to_feed=False)
    redirect = found.select_related("article").first()
    if redirect is not None:
        return redirect.article
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "articles:detail":
        return None
    return Article.objects.filter(slug=match.kwargs.get("slug")).first()
