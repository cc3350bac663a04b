from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django.views.generic import ListView

from comments.discussion import discussion_context
from comments.forms import CSRF_PLACEHOLDER, fill_reader_values
from newsroom import pagecache

from . import versioning
from .models import Article, Section, Tag


class ArticleListView(ListView):
    """The front page: the latest public articles, newest first."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"

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


def render_article(
    request, article, *, comment_form=None, status=200, unsent_text=None, shared=False
):
    """The article page, with its discussion and reply form.

    `comment_form` is a bound form to show again with its errors; `unsent_text`
    is a reply that could not be posted because comments closed, shown so the
    reader can keep it. `shared` renders the copy kept for every anonymous
    reader, with placeholders for the CSRF token and the form's timestamp.
    """
    context = {
        "article": article,
        "canonical_url": request.build_absolute_uri(article.get_absolute_url()),
        "unsent_text": unsent_text,
        **discussion_context(request, article, form=comment_form, shared=shared),
    }
    if shared:
        context["csrf_token"] = CSRF_PLACEHOLDER
    return render(request, "articles/article_detail.html", context, status=status)


ARTICLE_PAGE_PARAMS = frozenset({"cpage"})


def _shared_article_page(request, slug):
    """The page from the shared cache, given this reader's CSRF token and form timestamp.

    None when the page is not for sharing: a signed-in or returning reader, a
    reply link (?replytocom), or an article that is not public.
    """
    if not (pagecache.enabled() and pagecache.is_shareable(request)):
        return None
    if not pagecache.asks_only_for(request, ARTICLE_PAGE_PARAMS):
        return None
    article_id = versioning.public_article_id(slug)
    if article_id is None:
        return None
    key = pagecache.key_for(
        "article", versioning.current_version(article_id), pagecache.address(request)
    )
    html = pagecache.get_or_build(
        key, lambda: render_article(request, get_article_for(request, slug), shared=True).content
    )
    return pagecache.shared_response(
        request, fill_reader_values(html, request, article_id), "text/html; charset=utf-8"
    )


@require_safe
def article_detail(request, slug):
    shared = _shared_article_page(request, slug)
    if shared is not None:
        return shared
    return render_article(request, get_article_for(request, slug))
