from django.urls import path

from newsroom import ids  # noqa: F401  (registers the <id:...> converter)
from newsroom.api import shared_api_view

from . import views

urlpatterns = [
    path(
        "articles/<slug:slug>/comments/",
        shared_api_view(views.ArticleCommentList),
        name="article-comments",
    ),
    path("comments/", shared_api_view(views.CommentList), name="comment-list"),
    path("comments/<id:pk>/", shared_api_view(views.CommentDetail), name="comment-detail"),
    path("moderation/comments/", views.ModerationCommentList.as_view(), name="moderation-list"),
    *(
        path(
            f"moderation/comments/<id:pk>/{action}/",
            views.ModerationAction.as_view(moderation_action=action),
            name=f"moderation-{action}",
        )
        for action in views.ACTIONS
    ),
]
