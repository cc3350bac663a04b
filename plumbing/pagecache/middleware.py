from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve

from .personal import needs_middleware
from .recipe import LOOKUP, enabled


class SharedAnswerMiddleware:
    """Answer an anonymous read from its shared copy before the rest of the stack.

    Sits below the middleware that sets security headers (so every answer still
    carries them) and above sessions, CSRF, authentication, messages and
    django-axes, which have nothing to do for a reader without cookies or
    credentials. A hit costs a URL match, one query for the versions and the
    copy. A copy with per-reader values (a form's CSRF token) leaves from here
    too: of the rest of the stack it needs only the CSRF middleware, to read
    the reader's CSRF cookie before the token is made and to set it after,
    and Django's own middleware does both here; so does a copy with parts
    drawn for its reader (personal.ReaderEdit), unless what they show is read
    by the middleware below (their messages). Anything else (a miss, a page
    to make) goes on down the stack with what was found here.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if request.method == "GET" and enabled():
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            recipe = getattr(match and match.func, "pagecache", None)
            if recipe is not None:
                lookup = recipe.look_up(request, match.kwargs)
                if lookup.version is not None:
                    not_modified = recipe.not_modified(request, lookup)
                    if not_modified is not None:
                        return not_modified
                    # A reader whose part of the page is drawn from what the middleware
                    # below reads (their messages) goes on down.
                    if lookup.copy is not None and not needs_middleware(request):
                        if not lookup.copy.slots:
                            return recipe.serve(request, lookup)
                        self.csrf.process_request(request)
                        return self.csrf.process_response(request, recipe.serve(request, lookup))
                setattr(request, LOOKUP, lookup)
        return self.get_response(request)
