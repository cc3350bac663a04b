from django.urls import path

from plumbing import ids  # noqa: F401  (registers the <id:...> converter)

from . import views

urlpatterns = [
    path(
        "articles/<slug:slug>/comments/",
        views.ArticleCommentList.as_view(),
        name="article-comments",
    ),
    path(
        "articles/<slug:slug>/comments/preview/",
        views.CommentPreview.as_view(),
        name="article-comment-preview",
    ),
    path("comments/", views.CommentList.as_view(), name="comment-list"),
    path("comments/<id:pk>/", views.CommentDetail.as_view(), name="comment-detail"),
    path("comments/<id:pk>/report/", views.CommentReport.as_view(), name="comment-report"),
    path(
        "comments/<id:pk>/recommendation/",
        views.CommentRecommendation.as_view(),
        name="comment-recommendation",
    ),
    path("moderation/comments/", views.ModerationCommentList.as_view(), name="moderation-list"),
    *(
        path(
            f"moderation/comments/<id:pk>/{action}/",
            views.ModerationAction.as_view(moderation_action=action),
            name=f"moderation-{action}",
        )
        for action in views.ACTIONS
    ),
    path(
        "moderation/comments/reported/",
        views.ReportedComments.as_view(),
        name="moderation-reported",
    ),
    *(
        path(
            f"moderation/comments/<id:pk>/{name}/",
            views.PickAction.as_view(picked=name == "pick"),
            name=f"moderation-{name}",
        )
        for name in ("pick", "unpick")
    ),
    path(
        "moderation/comments/<id:pk>/dismiss-reports/",
        views.DismissReports.as_view(),
        name="moderation-dismiss-reports",
    ),
    *(
        path(
            f"moderation/comments/<id:pk>/edits/<id:edit>/{decision}/",
            views.EditDecision.as_view(approve=decision == "approve"),
            name=f"moderation-edit-{decision}",
        )
        for decision in ("approve", "decline")
    ),
]
