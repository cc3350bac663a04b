"""gunicorn settings for `make serve` and production; each can be overridden.

GUNICORN_BIND       address to listen on (default 127.0.0.1:8000)
WEB_CONCURRENCY     worker processes (default: 2 per core, plus one)
GUNICORN_ACCESSLOG  "-" (the default) for JSON access lines on stdout; empty for none
"""

import multiprocessing
import os

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
graceful_timeout = 30


class JsonAccessLogger(Logger):
    """One JSON line per request, with the same formatter as the application.

    Client addresses and user agents are left out on purpose: the site treats
    them as private, and an access log is no exception.
    """

    def access(self, resp, req, environ, request_time):
        # Not access_log_enabled: gunicorn turns that on for any logconfig_dict,
        # and an empty GUNICORN_ACCESSLOG must mean no access log.
        if not self.cfg.accesslog:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        self.access_log.info(
            "%s %s %s",
            atoms["m"],
            atoms["U"],
            atoms["s"],
            extra={
                "method": atoms["m"],
                "path": atoms["U"],
                "status": atoms["s"],
                "bytes": atoms["B"],
                "duration_ms": atoms["M"],
                # Which worker answered: with several, that tells them apart.
                "pid": os.getpid(),
            },
        )


logger_class = JsonAccessLogger
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "plumbing.logging.JsonFormatter"}},
    "handlers": {
        "json": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["json"], "level": "INFO"},
    "loggers": {
        "gunicorn.access": {"handlers": ["json"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["json"], "level": "INFO", "propagate": False},
    },
}
