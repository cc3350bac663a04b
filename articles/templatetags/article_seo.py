import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The same escapes Django's json_script uses: "</script>" inside a string value
# cannot end the element early.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def article_json_ld(context, article, canonical_url):
    """A schema.org NewsArticle for search engines, as a JSON-LD data block."""
    site_name = context.get("site_name", "")
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "url": canonical_url,
        "mainEntityOfPage": canonical_url,
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "author": {"@type": "Person", "name": article.display_byline},
        "publisher": {"@type": "Organization", "name": site_name},
    }
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    # Safe: the escapes above leave no "<", ">" or "&" for an HTML parser to act on.
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload),  # noqa: S308
    )
