import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder as DRFJSONEncoder


class FastJSONRenderer(JSONRenderer):
    """JSON through orjson: the same output as DRF's renderer (compact, UTF-8),
    several times faster on a list of 200 comments."""

    _fallback = DRFJSONEncoder()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=self._fallback.default)
