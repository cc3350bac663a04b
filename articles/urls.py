from django.urls import path

from newsroom.pagecache import site_wide

from . import views
from .feeds import LatestArticlesFeed

app_name = "articles"

urlpatterns = [
    path("", site_wide()(views.ArticleListView.as_view()), name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path(
        "sections/<slug:slug>/",
        site_wide()(views.SectionArticleListView.as_view()),
        name="section",
    ),
    path("tags/<slug:slug>/", site_wide()(views.TagArticleListView.as_view()), name="tag"),
    path("feeds/articles/", site_wide(params=frozenset())(LatestArticlesFeed()), name="feed"),
]
