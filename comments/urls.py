from django.urls import path

from plumbing import ids  # noqa: F401  (registers the <id:...> converter)

from . import privacy_views, views
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
    path("comments/confirm/<str:token>/", views.confirm_notifications, name="confirm"),
    path("comments/notifications/", views.notifications_page, name="notifications"),
    path("comments/privacy/", views.privacy, name="privacy"),
    path("comments/your-data/", privacy_views.request_data, name="data-request"),
    path("comments/your-data/<str:token>/", privacy_views.data, name="data"),
    path(
        "comments/your-data/<str:token>/download/",
        privacy_views.export_data,
        name="data-export",
    ),
    path("comments/your-data/<str:token>/erase/", privacy_views.erase_data, name="data-erase"),
]
