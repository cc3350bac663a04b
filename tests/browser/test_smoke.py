import pytest
from playwright.sync_api import expect

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_article_page_renders_with_bootstrap(page, watched):
    article = ArticleFactory(title="Smoke test")

    page.goto(article.get_absolute_url())

    expect(page.get_by_role("heading", level=1)).to_have_text("Smoke test")
    color = page.evaluate(
        "getComputedStyle(document.querySelector('.btn-primary')).backgroundColor"
    )
    assert color != "rgba(0, 0, 0, 0)"
    assert watched.csp_violations == []
    assert watched.errors == []
