from django.conf import settings
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve

from . import pagecache
from .views import wants_json


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


class SharedAnswerMiddleware:
    """Answer an anonymous read from its shared copy before the rest of the stack.

    Sits below the middleware that sets security headers (so every answer still
    carries them) and above sessions, CSRF, authentication, messages and
    django-axes, which have nothing to do for a reader without cookies or
    credentials. A hit costs a URL match, the version look-up and the copy.

    Views take part by carrying `shared_answer(request, **kwargs)`, which gives
    the shared copy or None (newsroom.api.shared_api_view). Everything else,
    and every miss, goes down the stack as usual and fills the cache there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "GET"
            and pagecache.enabled()
            and pagecache.is_shareable(request)
            and not pagecache.is_conditional(request)
        ):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            shared_answer = getattr(match and match.func, "shared_answer", None)
            if shared_answer is not None:
                response = shared_answer(request, **match.kwargs)
                if response is not None:
                    return response
        return self.get_response(request)
