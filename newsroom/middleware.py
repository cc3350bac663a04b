from django.conf import settings
from django.http import JsonResponse
from django.template.response import TemplateResponse

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
