from django.urls import path

from plumbing import ids  # noqa: F401  (registers the <id:...> converter)

from . import views
from .feeds import article_comments_feed, latest_comments_feed

app_name = "comments"

urlpatterns = [
    path("articles/<slug:slug>/comments/", views.post_comment, name="post"),
    path("articles/<slug:slug>/comments/<id:pk>/", views.permalink, name="permalink"),
    path("articles/<slug:slug>/comments/<id:pk>/edit/", views.edit_reply, name="edit"),
    path("articles/<slug:slug>/comments/<id:pk>/delete/", views.delete_reply, name="delete"),
    path("articles/<slug:slug>/comments/<id:pk>/report/", views.report_reply, name="report"),
    path(
        "articles/<slug:slug>/comments/recommend/",
        views.recommend_reply,
        name="recommend",
    ),
    path("articles/<slug:slug>/comments/feed/", article_comments_feed, name="article-feed"),
    path("feeds/comments/", latest_comments_feed, name="feed"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("comments/privacy/", views.privacy, name="privacy"),
]
