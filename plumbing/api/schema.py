"""Error shapes for the OpenAPI schema (drf-spectacular)."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorDetail = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorDetail, description=description)


BAD_REQUEST = OpenApiResponse(
    {
        "oneOf": [
            {
                "type": "object",
                "description": '{"<field>": ["message", ...]}: one entry per field to fix.',
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            {
                "type": "object",
                "description": "The body could not be read at all.",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            },
        ]
    },
    description="Messages per field that needs fixing, or a detail when the body "
    "could not be read at all.",
)
THROTTLED = error("Too many requests; Retry-After says when to try again.")
