from django.urls import path

from . import views
from .feeds import latest_articles_feed

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("sections/<slug:slug>/", views.SectionArticleListView.as_view(), name="section"),
    path("tags/<slug:slug>/", views.TagArticleListView.as_view(), name="tag"),
    path("feeds/articles/", latest_articles_feed, name="feed"),
]
