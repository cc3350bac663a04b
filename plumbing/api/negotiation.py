from rest_framework.negotiation import DefaultContentNegotiation

# What nearly every client sends: answered with the first renderer (JSON) at once.
_ANYTHING = frozenset({"", "*/*", "application/json"})


class JSONFirstNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, with a short way for the common case.

    A request that asks for no format (`?format=`) and accepts anything or JSON
    gets the first renderer without DRF parsing the Accept header into media
    types and comparing each with each renderer's, which costs more than
    rendering a small answer. Any other request is negotiated as DRF does.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        first = renderers[0]
        if (
            format_suffix is None
            and first.media_type == "application/json"
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
            and request.META.get("HTTP_ACCEPT", "").strip() in _ANYTHING
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
