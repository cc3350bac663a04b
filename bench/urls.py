import os
from functools import cache
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

from newsroom.urls import urlpatterns as site


@cache
def limit_body() -> bytes:
    # Written by bench/run.py: the bytes of the comment list it measures.
    return Path(os.environ["NEWSROOM_BENCH_LIMIT_FILE"]).read_bytes()


def limit(request):
    """The most any view can do here: precomputed bytes, through the same middleware."""
    return HttpResponse(limit_body(), content_type="application/json")


urlpatterns = [path("bench/limit/", limit), *site]
