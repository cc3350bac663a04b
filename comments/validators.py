"""Checks shared by the reply form, the API serializer and the models (the checks
on text any field may use are in plumbing.text)."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

WEB_SCHEMES = frozenset({"http", "https"})


def validate_web_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        raise ValidationError(
            "Enter a web address starting with http:// or https://.", code="scheme"
        )
