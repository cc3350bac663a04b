import functools

import django_filters
from django import forms
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.models import Article
from articles.services import COMMENTS, article_scope
from comments import cookies, services
from comments.models import Comment, Report, Revision
from comments.names import signed_in_staff
from comments.sanitize import render_comment
from comments.views import (
    PREVIEW_SCOPE,
    RECOMMEND_BUDGET,
    REPORT_BUDGET,
    NetworkBudget,
    ask_for_mail,
    edit_from,
    recommend_from,
    submit_reply,
)
from plumbing.api.filters import MomentFilter
from plumbing.api.schema import BAD_REQUEST, THROTTLED, error
from plumbing.api.throttling import FixedWindowThrottle
from plumbing.db import PreparedQuery
from plumbing.http import client_ip
from plumbing.ids import MAX_ID
from plumbing.pagecache.recipe import Shared, SharedView

from .pagination import ORDERINGS, CommentCursorPagination, QueueCursorPagination
from .serializers import (
    PUBLIC_ANNOTATIONS,
    PUBLIC_COLUMNS,
    CommentCreatedSerializer,
    CommentCreateSerializer,
    CommentEditedSerializer,
    CommentEditSerializer,
    CommentSerializer,
    ModerationCommentSerializer,
    ModerationNoteSerializer,
    TextField,
)

# --- Throttles -------------------------------------------------------------------
# The reply form counts under the same scopes (comments.views.POSTING_LIMITS):
# one budget for a client whichever door it uses.


class CommentPostThrottle(FixedWindowThrottle):
    scope = "comment-post"
    setting = "COMMENTS_API_POST_RATE"


class CommentBurstThrottle(FixedWindowThrottle):
    scope = "comment-burst"
    setting = "COMMENTS_API_BURST_RATE"


class PreviewThrottle(FixedWindowThrottle):
    """Previews are limited like posts, in a budget of their own that the form's
    Preview button shares (comments.views)."""

    scope = PREVIEW_SCOPE
    setting = "COMMENTS_API_POST_RATE"


class PreviewBurstThrottle(PreviewThrottle):
    setting = "COMMENTS_API_BURST_RATE"


class NetworkThrottle(FixedWindowThrottle):
    """A comments.views.NetworkBudget: one budget with the site's own form."""

    budget: NetworkBudget

    @property
    def scope(self):
        return self.budget.scope

    @property
    def setting(self):
        return self.budget.setting

    def allow_request(self, request, view):
        self.waiting = self.budget.wait(request)
        return not self.waiting


class ReportThrottle(NetworkThrottle):
    budget = REPORT_BUDGET


class RecommendThrottle(NetworkThrottle):
    budget = RECOMMEND_BUDGET


# --- Public ----------------------------------------------------------------------

# What a post (or a preview) of a comment can be answered besides success.
POSTING_ERRORS = {
    400: BAD_REQUEST,
    403: error(
        "Comments are closed for this article, or the request came from another site's page."
    ),
    404: error("No such published article."),
    415: error("The body is neither JSON nor a form."),
    429: THROTTLED,
}


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    field_class = IdField


class ArticleCommentFilter(django_filters.FilterSet):
    parent = IdFilter(field_name="parent_id", help_text="Only replies to this comment.")
    picked = django_filters.BooleanFilter(
        field_name="picked_at",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: only editors' picks; false: only the others.",
    )
    since = MomentFilter(
        method="filter_since",
        help_text="ISO 8601. Only comments published or edited after this moment "
        "(including older comments approved since), for incremental sync.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(name, name) for name in ORDERINGS],
        method="filter_ordering",
        help_text="oldest (the default), newest or recommended (most recommended first, "
        "equal counts in the order they were posted). Replies are ordered like top-level "
        "comments; `parent` rebuilds the threads.",
    )

    class Meta:
        model = Comment
        fields = ["parent", "since", "picked", "ordering"]

    def filter_ordering(self, queryset, name, value):
        return queryset  # the pagination orders (CommentCursorPagination)

    def filter_since(self, queryset, name, moment):
        # Each side has its index: comment_published_idx and comment_edited_idx.
        return queryset.filter(Q(moderated_at__gt=moment) | Q(edited_at__gt=moment))


class PublicCommentFilter(ArticleCommentFilter):
    article = django_filters.CharFilter(field_name="article__slug", help_text="Article slug.")
    # Across all articles, only the orders an index serves.
    ordering = django_filters.ChoiceFilter(
        choices=[("oldest", "oldest"), ("newest", "newest")],
        method="filter_ordering",
        help_text="oldest (the default) or newest; an article's own list also sorts by "
        "recommendations.",
    )

    class Meta(ArticleCommentFilter.Meta):
        fields = ["article", "parent", "since", "picked", "ordering"]


def public_comment_rows():
    return Comment.objects.public().values(*PUBLIC_COLUMNS, **PUBLIC_ANNOTATIONS)


@functools.cache
def _approved_rows():
    # Built once per process, as building it costs more than a list's own query:
    # nothing in it depends on the moment, and each request filters a copy.
    return Comment.objects.approved().values(*PUBLIC_COLUMNS, **PUBLIC_ANNOTATIONS)


def article_comment_rows(article_id: int):
    """public_comment_rows() of one article already found to be public."""
    return _approved_rows().for_article(article_id)


# What reading and taking replies needs of an article (anything else loads when
# first read), by a query written once: every post and every list runs it.
DISCUSSION_FIELDS = ("id", "slug", "status", "published_at", "allow_comments", "comments_close_at")
_ARTICLE_AT = PreparedQuery(
    lambda slug: Article.objects.filter(slug=slug).order_by().values_list(*DISCUSSION_FIELDS),
    convert=True,
    slug="",
)


def public_article(slug: str) -> Article:
    """The public article at `slug` (Article.is_public decides), or 404."""
    rows = _ARTICLE_AT.rows(slug=slug)
    article = Article.from_db(DEFAULT_DB_ALIAS, DISCUSSION_FIELDS, rows[0]) if rows else None
    if article is None or not article.is_public:
        raise exceptions.NotFound("No such published article.")
    return article


class PublicComments(SharedView):
    """Approved comments of published articles, as anyone may read them."""

    serializer_class = CommentSerializer
    pagination_class = CommentCursorPagination
    shared = Shared(depends_on=lambda **kwargs: [COMMENTS, *services.recommendation_counts()])

    def get_queryset(self):
        return public_comment_rows()


@extend_schema_view(
    get=extend_schema(
        summary="Approved comments of all published articles",
        responses={200: CommentSerializer(many=True), 400: BAD_REQUEST, 429: THROTTLED},
    )
)
class CommentList(PublicComments, generics.ListAPIView):
    """Approved comments, flat and oldest first; `parent` rebuilds the threads."""

    filterset_class = PublicCommentFilter


# The header that carries the edit token of POST's 201 answer.
EDIT_TOKEN_HEADER = "X-Edit-Token"  # noqa: S105 (a header name)
NO_TOKEN = (
    f"Only the author of a comment can change it, with the {EDIT_TOKEN_HEADER} header "
    "its post was answered with."
)
AUTHOR_ERRORS = {
    403: error(
        f"Not the author: the {EDIT_TOKEN_HEADER} header is missing or wrong (the same "
        "answer for any id); or the edit window has passed, or the comment was removed."
    ),
    429: THROTTLED,
}
TOKEN_PARAMETER = OpenApiParameter(
    EDIT_TOKEN_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The `edit_token` of the answer to the comment's POST.",
)


@extend_schema_view(
    get=extend_schema(
        summary="One approved comment",
        responses={200: CommentSerializer, 404: error("No such public comment.")},
    ),
    patch=extend_schema(
        summary="Edit your comment",
        description="Its author (the edit token) may change the text until `editable_until` "
        "(COMMENTS_EDIT_MINUTES after posting). The new text is sanitized and moderated "
        "as a new comment is: an edit the rules hold waits for a moderator while "
        "readers keep seeing the published text.",
        parameters=[TOKEN_PARAMETER],
        request=CommentEditSerializer,
        responses={200: CommentEditedSerializer, 400: BAD_REQUEST, **AUTHOR_ERRORS},
    ),
    delete=extend_schema(
        summary="Delete your comment",
        description="Its author (the edit token) may delete it until `editable_until`. "
        "Readers no longer see it; one with approved replies leaves a placeholder.",
        parameters=[TOKEN_PARAMETER],
        responses={204: None, **AUTHOR_ERRORS},
    ),
)
class CommentDetail(PublicComments, generics.RetrieveAPIView):
    """One approved comment; its author may edit or delete it for a while."""

    filter_backends = []

    def get_throttles(self):
        if self.request.method in ("PATCH", "DELETE"):
            # An edit is a post: the same budget as new comments.
            return [CommentBurstThrottle(), CommentPostThrottle()]
        return super().get_throttles()

    def _own(self, request, pk) -> Comment:
        comment = Comment.objects.select_related("article").filter(pk=pk).first()
        if comment is not None and not comment.article.is_public:
            comment = None  # as for any comment the public cannot reach
        token = request.headers.get(EDIT_TOKEN_HEADER, "")
        try:
            return services.check_author(
                comment, proven=services.token_matches(comment, token), not_yours=NO_TOKEN
            )
        except services.CommentError as refused:
            raise exceptions.PermissionDenied(refused.message) from None

    def patch(self, request, pk):
        comment = self._own(request, pk)
        incoming = CommentEditSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            outcome = edit_from(request, comment, incoming.validated_data["body"])
        except services.CommentError as refused:
            raise_for(refused)
        output = CommentEditedSerializer(outcome, context=self.get_serializer_context())
        return Response(output.data)

    def delete(self, request, pk):
        comment = self._own(request, pk)
        try:
            services.delete_own(comment)
        except services.CommentError as refused:
            raise_for(refused)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("PATCH", "DELETE"):
            patch_cache_control(response, private=True, no_store=True)
        return response


def raise_for(refused: services.CommentError):
    """The API's answer to a comment or an edit the services refused."""
    if refused.status_code == 429:
        raise exceptions.Throttled(wait=60, detail=refused.message) from None
    if refused.status_code == 403:
        raise exceptions.PermissionDenied(refused.message) from None
    raise exceptions.ValidationError(
        {refused.field or "non_field_errors": [refused.message]}
    ) from None


@extend_schema_view(
    get=extend_schema(
        summary="Approved comments of one article",
        responses={
            200: CommentSerializer(many=True),
            400: BAD_REQUEST,
            404: error("No such published article."),
            429: THROTTLED,
        },
    ),
    post=extend_schema(
        summary="Post a comment",
        description="Goes through the same checks, sanitizing and moderation as the "
        "site's reply form. The e-mail address is never returned.",
        request=CommentCreateSerializer,
        responses={201: CommentCreatedSerializer, **POSTING_ERRORS},
    ),
)
class ArticleCommentList(PublicComments, generics.ListCreateAPIView):
    """An article's approved comments, oldest first; and the way to post a new one."""

    filterset_class = ArticleCommentFilter
    shared = Shared(
        depends_on=lambda slug: [article_scope(slug), *services.recommendation_counts(slug)]
    )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Comment.objects.none()
        return article_comment_rows(public_article(self.kwargs["slug"]).pk)

    def get_serializer_class(self):
        if self.request.method == "POST":
            return CommentCreateSerializer
        return CommentSerializer

    def get_throttles(self):
        if self.request.method == "POST":
            return [CommentBurstThrottle(), CommentPostThrottle()]
        return super().get_throttles()

    def create(self, request, *args, **kwargs):
        article = public_article(self.kwargs["slug"])
        if not article.accepts_comments():
            raise exceptions.PermissionDenied(services.CommentsClosed().message)
        staff = signed_in_staff(request)
        incoming = CommentCreateSerializer(data=request.data, context={"staff": staff})
        incoming.is_valid(raise_exception=True)
        try:
            comment = submit_reply(
                request, article, incoming.validated_data, with_edit_token=True, staff=staff
            )
        except services.CommentError as refused:
            raise_for(refused)
        ask_for_mail(request, comment, incoming.validated_data, staff=staff)
        output = CommentCreatedSerializer(comment, context=self.get_serializer_context())
        response = Response(output.data, status=status.HTTP_201_CREATED)
        # It carries the edit token: for this client alone, and kept by nobody.
        patch_cache_control(response, private=True, no_store=True)
        return response


class PreviewSerializer(serializers.Serializer):
    body_html = serializers.CharField(
        help_text="The reply as it would be published: sanitized, with its links and paragraphs."
    )


@extend_schema_view(
    post=extend_schema(
        summary="Preview a comment",
        description="Checks the fields as a post does and answers the reply as it would "
        "be published. Nothing is saved and no moderation rule runs.",
        request=CommentCreateSerializer,
        responses={200: PreviewSerializer, **POSTING_ERRORS},
    )
)
class CommentPreview(generics.GenericAPIView):
    serializer_class = CommentCreateSerializer
    throttle_classes = [PreviewBurstThrottle, PreviewThrottle]

    def post(self, request, slug):
        article = public_article(slug)
        if not article.accepts_comments():
            raise exceptions.PermissionDenied(services.CommentsClosed().message)
        incoming = CommentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        return Response({"body_html": render_comment(incoming.validated_data["body"])})


class ReportSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    note = TextField(
        required=False, allow_blank=True, max_length=500, help_text="For the moderators."
    )


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField(help_text="A sentence for the reader.")


@extend_schema_view(
    post=extend_schema(
        summary="Report a comment to the moderators",
        description="One report per comment from an address; who reported what is never "
        "shown. A comment reported by COMMENTS_REPORT_THRESHOLD readers waits for a "
        "moderator.",
        request=ReportSerializer,
        responses={
            202: MessageSerializer,
            400: BAD_REQUEST,
            403: error("The request came from another site's page."),
            404: error("No such public comment."),
            429: THROTTLED,
        },
    )
)
class CommentReport(generics.GenericAPIView):
    serializer_class = ReportSerializer
    throttle_classes = [ReportThrottle]

    def post(self, request, pk):
        incoming = ReportSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            thanks = services.report(
                pk,
                reason=incoming.validated_data["reason"],
                note=incoming.validated_data.get("note", ""),
                ip_address=client_ip(request),
            )
        except services.NotReportable as missing:
            raise exceptions.NotFound(missing.message) from None
        return Response({"message": thanks}, status=status.HTTP_202_ACCEPTED)


class RecommendedSerializer(serializers.Serializer):
    recommended = serializers.BooleanField(help_text="Whether this client now recommends it.")
    recommendations = serializers.IntegerField(help_text="The count, now.")
    message = serializers.CharField(help_text="A sentence for the reader.")


RECOMMEND_ERRORS = {
    403: error(
        "Comments are closed for this article, the comment was posted from this browser, "
        "its address has given it COMMENTS_RECOMMENDATIONS_PER_ADDRESS already, or the "
        "request came from another site's page."
    ),
    404: error("No such public comment."),
    429: THROTTLED,
}


@extend_schema_view(
    post=extend_schema(
        summary="Recommend a comment",
        description="One recommendation per comment from a client: it is known by the "
        "`newsroom_reader` cookie this answer sets (a client without cookies counts "
        "anew each time, within the bound per address). Recommending twice changes "
        "nothing. Who recommends what is never shown; lists may show the new count "
        "COMMENTS_RECOMMENDATIONS_LAG seconds late.",
        request=None,
        responses={200: RecommendedSerializer, **RECOMMEND_ERRORS},
    ),
    delete=extend_schema(
        summary="Take a recommendation back",
        description="The client's own (its `newsroom_reader` cookie); nothing happens if "
        "it has none.",
        responses={200: RecommendedSerializer, **RECOMMEND_ERRORS},
    ),
)
class CommentRecommendation(APIView):
    throttle_classes = [RecommendThrottle]

    def post(self, request, pk):
        return self._recommend(request, pk, wanted=True)

    def delete(self, request, pk):
        return self._recommend(request, pk, wanted=False)

    def _recommend(self, request, pk, *, wanted: bool):
        try:
            outcome, key = recommend_from(request, pk, wanted=wanted)
        except services.NotReportable as missing:
            raise exceptions.NotFound(missing.message) from None
        except services.CommentError as refused:
            raise_for(refused)
        response = Response(
            {
                "recommended": outcome.recommended,
                "recommendations": outcome.count,
                "message": outcome.message,
            }
        )
        if outcome.recommended:  # the browser must be known again to take it back
            cookies.keep_reader_key(response, key)
        patch_cache_control(response, private=True, no_store=True)
        return response


# --- Moderation ------------------------------------------------------------------


class IsModerator(permissions.BasePermission):
    """Members of "Moderators" (who may change comments) and superusers."""

    message = "Only moderators can do this."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("comments.change_comment"))


class ModerationStatusFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Comment.Status.choices, help_text="The queue to list; all statuses if left out."
    )
    edit_waiting = django_filters.BooleanFilter(
        method="filter_edit_waiting",
        help_text="true: only comments with an edit by their author awaiting a decision.",
    )

    class Meta:
        model = Comment
        fields = ["status", "edit_waiting"]

    def filter_edit_waiting(self, queryset, name, value):
        waiting = Exists(Revision.objects.filter(comment=OuterRef("pk"), state=Revision.State.HELD))
        return queryset.filter(waiting if value else ~waiting)


def moderation_queryset():
    held = Revision.objects.filter(state=Revision.State.HELD)
    open_reports = Report.objects.filter(dismissed_at__isnull=True)
    return Comment.objects.select_related("article", "moderated_by").prefetch_related(
        "events__actor",
        Prefetch("revisions", queryset=held, to_attr="held_edits"),
        Prefetch("reports", queryset=open_reports, to_attr="open_reports"),
    )


class PrivateAnswers:
    """Moderation answers hold private data: no cache anywhere may keep them."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        return response


@extend_schema_view(
    get=extend_schema(
        summary="The moderation queue",
        responses={
            200: ModerationCommentSerializer(many=True),
            401: error("No credentials."),
            403: error("Not a moderator."),
        },
    )
)
class ModerationCommentList(PrivateAnswers, generics.ListAPIView):
    """Comments of every status with their private fields and history, newest first."""

    permission_classes = [IsModerator]
    serializer_class = ModerationCommentSerializer
    pagination_class = QueueCursorPagination
    filterset_class = ModerationStatusFilter
    throttle_classes = []

    def get_queryset(self):
        return moderation_queryset()


def moderation_answers(conflict: str | None = None) -> dict:
    """What a moderator's step on one comment can answer, for the schema."""
    answers = {
        200: ModerationCommentSerializer,
        401: error("No credentials."),
        403: error("Not a moderator."),
        404: error("No such comment."),
    }
    if conflict:
        answers[409] = error(conflict)
    return answers


class ModeratorStep(PrivateAnswers, APIView):
    """A moderator's step on one comment; the answer is the comment as it is now."""

    permission_classes = [IsModerator]
    throttle_classes = []

    @staticmethod
    def now_showing(pk) -> Response:
        return Response(ModerationCommentSerializer(moderation_queryset().get(pk=pk)).data)


ACTIONS = {
    "approve": Comment.Status.APPROVED,
    "spam": Comment.Status.SPAM,
    "remove": Comment.Status.REMOVED,
    "restore": Comment.Status.PENDING,
}


class PickAction(ModeratorStep):
    """Make a published comment an editors' pick, or no longer one."""

    picked = True  # set per URL

    @extend_schema(
        request=None, responses=moderation_answers("Only a published comment can be a pick.")
    )
    def post(self, request, pk):
        comment = get_object_or_404(Comment, pk=pk)
        try:
            services.pick(comment, actor=request.user, picked=self.picked)
        except services.CannotDecide as refusal:
            raise Conflict(refusal.message) from None
        return self.now_showing(pk)

    def get_view_name(self):
        return "Make an editors' pick" if self.picked else "Remove from editors' picks"


class ModerationAction(ModeratorStep):
    """Change a comment's status; the change is recorded with the moderator's name."""

    moderation_action = "approve"  # set per URL

    @extend_schema(
        request=ModerationNoteSerializer,
        responses=moderation_answers("Its author deleted it, or changed the text since `seen`."),
    )
    def post(self, request, pk):
        comment = get_object_or_404(Comment, pk=pk)
        note = ModerationNoteSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        try:
            services.set_status(
                comment,
                ACTIONS[self.moderation_action],
                actor=request.user,
                note=note.validated_data.get("note", ""),
                seen=note.validated_data.get("seen"),
            )
        except services.CannotDecide as refusal:
            raise Conflict(refusal.message) from None
        return self.now_showing(pk)

    def get_view_name(self):
        return f"{self.moderation_action.title()} a comment"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The comment is no longer as you saw it."
    default_code = "conflict"


class EditDecision(ModeratorStep):
    """Approve or decline an edit its author sent for a published comment."""

    approve = True  # set per URL

    @extend_schema(
        request=None,
        responses=moderation_answers(
            "That edit no longer waits: decided, or replaced by a later one."
        ),
    )
    def post(self, request, pk, edit):
        comment = get_object_or_404(Comment, pk=pk)
        if not services.decide_edit(comment, edit, approve=self.approve, actor=request.user):
            raise Conflict("That edit no longer waits: it was decided, or replaced by a later one.")
        return self.now_showing(pk)

    def get_view_name(self):
        return f"{'Approve' if self.approve else 'Decline'} an author's edit"


@extend_schema_view(
    get=extend_schema(
        summary="The reported queue",
        responses={
            200: ModerationCommentSerializer(many=True),
            401: error("No credentials."),
            403: error("Not a moderator."),
        },
    )
)
class ReportedComments(PrivateAnswers, generics.ListAPIView):
    """Comments with reports nobody has dismissed, most reporters first: the head of
    the queue (REPORTED_SHOWN of them), as moderators work through it."""

    permission_classes = [IsModerator]
    serializer_class = ModerationCommentSerializer
    pagination_class = None
    throttle_classes = []
    filter_backends = []
    REPORTED_SHOWN = 100

    def get_queryset(self):
        open_reports = Q(reports__dismissed_at__isnull=True, reports__isnull=False)
        return (
            moderation_queryset()
            .annotate(reporters=Count("reports", filter=open_reports))
            .filter(reporters__gt=0)
            .order_by("-reporters", "-created_at", "-id")[: self.REPORTED_SHOWN]
        )


class DismissReports(ModeratorStep):
    """Close a comment's reports and leave it up (publishing it again if the reports
    held it)."""

    @extend_schema(request=None, responses=moderation_answers())
    def post(self, request, pk):
        services.dismiss_reports(get_object_or_404(Comment, pk=pk), actor=request.user)
        return self.now_showing(pk)
