"""The site: each app's addresses, in the order the resolver should try them."""

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from articles.sitemaps import SITEMAPS
from comments.api import articles as articles_with_comments
from comments.api.urls import urlpatterns as comment_api
from plumbing.views import healthz

admin.site.site_header = "Newsroom administration"
admin.site.site_title = "Newsroom"
admin.site.index_title = "Publishing and moderation"

# The articles API as readers get it: each article with its comment count.
article_api = [
    path("articles/", articles_with_comments.ArticleList.as_view(), name="article-list"),
    path(
        "articles/<slug:slug>/",
        articles_with_comments.ArticleDetail.as_view(),
        name="article-detail",
    ),
]

# The busiest addresses first: the resolver tries patterns in order.
urlpatterns = [
    path("api/v1/", include((article_api + comment_api, "api"))),
    path("", include("articles.urls")),
    path("", include("comments.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path(settings.ADMIN_PATH, admin.site.urls),
]
