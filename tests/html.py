"""Reading HTML the way a browser would, for assertions about what it contains."""

from html.parser import HTMLParser


class _ElementCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def elements(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every start tag in `markup`, with its attributes (entities decoded)."""
    collector = _ElementCollector()
    collector.feed(markup)
    collector.close()
    return collector.elements
