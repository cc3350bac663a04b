from django.urls import path

from newsroom import ids  # noqa: F401  (registers the <id:...> converter)
from newsroom.pagecache import per_article, site_wide

from . import views
from .feeds import ArticleCommentsFeed, LatestCommentsFeed

app_name = "comments"

urlpatterns = [
    path("articles/<slug:slug>/comments/", views.post_comment, name="post"),
    path("articles/<slug:slug>/comments/<id:pk>/", views.permalink, name="permalink"),
    path(
        "articles/<slug:slug>/comments/feed/",
        per_article()(ArticleCommentsFeed()),
        name="article-feed",
    ),
    path(
        "feeds/comments/",
        site_wide(params=frozenset())(LatestCommentsFeed()),
        name="feed",
    ),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
