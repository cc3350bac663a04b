from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_safe
from django.views.generic import ListView

from plumbing.pagecache.params import FormParams, PageForm
from plumbing.pagecache.recipe import Shared, SharedView
from plumbing.ratelimit import limit_reads

from .models import Article, Section, Tag
from .services import ARTICLES, article_scope


@method_decorator(limit_reads, name="dispatch")
class ArticleListView(SharedView, ListView):
    """The front page: the latest public articles, newest first."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    # Section and tag names show in every page's navigation and teasers: the epoch.
    shared = Shared(depends_on=lambda **kwargs: [ARTICLES], params=FormParams(PageForm))

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Canonical: the listing's own path and page, without tracking parameters.
        page = context["page_obj"]
        path = self.request.path if page.number == 1 else f"{self.request.path}?page={page.number}"
        context["canonical_url"] = self.request.build_absolute_uri(path)
        return context


class SectionArticleListView(ArticleListView):
    template_name = "articles/section_detail.html"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return super().get_queryset().filter(section=self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagArticleListView(ArticleListView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


def can_preview(user) -> bool:
    """Staff may look at drafts and scheduled articles before readers can."""
    return user.is_authenticated and user.is_staff


def get_article_for(request, slug: str) -> Article:
    """The article at `slug` as this visitor may see it, or 404.

    Readers only ever get public articles; staff also get drafts and scheduled
    ones, which the page marks with a banner.
    """
    articles = Article.objects.for_listing()
    if not can_preview(request.user):
        articles = articles.published()
    try:
        return articles.get(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No article here.") from None


def render_article(request, article: Article, *, status: int = 200, **context):
    """The article page. Extra `context` reaches the blocks its template pulls in
    (the discussion: a form to show again with its errors, say)."""
    context = {
        "article": article,
        "canonical_url": request.build_absolute_uri(article.get_absolute_url()),
        **context,
    }
    return render(request, "articles/article_detail.html", context, status=status)


# The discussion's template tag adds its own parameters (comments/apps.py).
article_page = Shared(depends_on=lambda slug: [article_scope(slug)])


@require_safe
@article_page
@limit_reads
def article_detail(request, slug):
    return render_article(request, get_article_for(request, slug))
