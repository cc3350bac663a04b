"""Settings for `make bench-hot`: production settings as shipped, plus one header.

Every answer says which gunicorn worker gave it (`X-Newsroom-Worker`, its
process id), so the benchmark can tell when a moderator's change has reached
every worker. It is added outermost, so answers from the shared cache carry it
too. Nothing else differs: the throttles, the flood rule and the moderation
policy are the shipped ones, and the load generator speaks as many readers,
each from an address of its own, through DJANGO_NUM_PROXIES.
"""

import os

from newsroom.settings import *  # noqa: F403
from newsroom.settings import MIDDLEWARE

MIDDLEWARE = ["bench.hot_settings.worker_header", *MIDDLEWARE]


def worker_header(get_response):
    def middleware(request):
        response = get_response(request)
        response["X-Newsroom-Worker"] = str(os.getpid())
        return response

    return middleware
