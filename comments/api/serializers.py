import copy
from datetime import UTC

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    ProhibitNullCharactersValidator,
    URLValidator,
)
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from comments.models import Comment, ModerationEvent, Report, Revision
from comments.names import is_reserved, staff_display_name
from comments.paths import comment_path
from comments.validators import validate_web_url
from plumbing.db import IsoUtc
from plumbing.ids import MAX_ID
from plumbing.text import (
    reject_control_characters,
    reject_control_characters_in_text,
    reject_invisible_formatting,
)

# The columns a public comment is made of: e-mail, IP and user agent are never loaded.
# created_at comes as the API writes it, made by the database (plumbing.db.IsoUtc).
MOMENTS = {"created": "created_at", "edited": "edited_at"}
PUBLIC_COLUMNS = (
    *(f for f in Comment.PUBLIC_FIELDS if f not in MOMENTS.values()),
    "article__slug",
)
PUBLIC_ANNOTATIONS = {name: IsoUtc(column) for name, column in MOMENTS.items()}


def iso_utc(moment) -> str:
    # The format DRF's DateTimeField writes for UTC, without its per-value machinery.
    if isinstance(moment, str):
        return moment
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class CommentSerializer(serializers.Serializer):
    """A public comment: exactly the fields any reader may see.

    Lists serialize rows from `values(*PUBLIC_COLUMNS)`; the declared fields
    describe the output for the schema, and `to_representation` builds it
    directly, since a list of 200 comments is the API's hottest path.
    """

    id = serializers.IntegerField(read_only=True)
    article = serializers.SlugField(read_only=True, help_text="The article's slug.")
    parent = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The comment this one replies to."
    )
    author_name = serializers.CharField(read_only=True)
    author_url = serializers.URLField(
        read_only=True, allow_null=True, help_text="The author's website, if given."
    )
    body_html = serializers.CharField(read_only=True, help_text="Sanitized HTML.")
    created_at = serializers.DateTimeField(read_only=True)
    edited_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the text readers see last changed after publication (its author's "
        "edit, or a moderator's correction); null if never.",
    )
    picked = serializers.BooleanField(read_only=True, help_text="An editors' pick.")
    author_role = serializers.ChoiceField(
        choices=["staff", "author"],
        read_only=True,
        allow_null=True,
        help_text="staff: posted by a signed-in member of the newsroom; author: by the "
        "article's author; null: by a reader.",
    )
    recommendations = serializers.IntegerField(
        read_only=True,
        help_text="How many readers recommend it; may lag by COMMENTS_RECOMMENDATIONS_LAG seconds.",
    )
    url = serializers.URLField(read_only=True, help_text="The comment's permalink on the site.")

    def _permalink(self, slug: str, pk: int) -> str:
        start = getattr(self, "_site_root", None)
        if start is None:
            self._paths = comment_path("comments:permalink")
            start = self._site_root = self.context["request"].build_absolute_uri("/")[:-1]
        return start + self._paths.path(slug, pk)

    def to_representation(self, row):
        if not isinstance(row, dict):
            row = {
                "id": row.pk,
                "article__slug": row.article.slug,
                "parent_id": row.parent_id,
                "author_name": row.author_name,
                "author_url": row.author_url,
                "body_html": row.body_html,
                "created": row.created_at,
                "edited": row.edited_at,
                "picked_at": row.picked_at,
                "author_role": row.author_role,
                "recommendations": row.recommendations,
            }
        slug = row["article__slug"]
        pk = row["id"]
        return {
            "id": pk,
            "article": slug,
            "parent": row["parent_id"],
            "author_name": row["author_name"],
            "author_url": row["author_url"] or None,
            "body_html": row["body_html"],
            "created_at": iso_utc(row["created"]),
            "edited_at": iso_utc(row["edited"]) if row["edited"] is not None else None,
            "picked": row["picked_at"] is not None,
            "author_role": row["author_role"] or None,
            "recommendations": row["recommendations"],
            "url": self._permalink(slug, pk),
        }


class CommentCreatedSerializer(CommentSerializer):
    """The answer to a new comment: what readers will see, and whether they can yet."""

    status = serializers.ChoiceField(
        choices=["approved", "pending"],
        read_only=True,
        help_text="approved: published now; pending: waits for a moderator.",
    )
    message = serializers.CharField(read_only=True, help_text="A sentence for the author.")
    edit_token = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Given once, never again: send it as the X-Edit-Token header to edit "
        "(PATCH) or delete (DELETE) the comment until `editable_until`. Null when "
        "comments cannot be changed after posting.",
    )
    editable_until = serializers.DateTimeField(read_only=True, allow_null=True)

    def to_representation(self, comment):
        data = super().to_representation(comment)
        approved = comment.status == Comment.Status.APPROVED
        # Spam is reported as pending: a spammer learns nothing from the answer.
        data["status"] = "approved" if approved else "pending"
        data["message"] = (
            "Your comment is published."
            if approved
            else "Your comment is awaiting moderation and will appear once approved."
        )
        token = getattr(comment, "edit_token", None)
        data["edit_token"] = token
        data["editable_until"] = iso_utc(comment.edit_deadline()) if token else None
        return data


class CommentEditedSerializer(CommentSerializer):
    """The answer to an author's edit: the comment as readers see it now, and why."""

    status = serializers.ChoiceField(
        choices=["approved", "pending"],
        read_only=True,
        help_text="approved: published; pending: the comment waits for a moderator.",
    )
    edit = serializers.ChoiceField(
        choices=["published", "pending"],
        read_only=True,
        help_text="published: readers see the new text; pending: it waits for a moderator, "
        "and `body_html` is what readers see meanwhile.",
    )
    message = serializers.CharField(read_only=True, help_text="A sentence for the author.")

    def to_representation(self, outcome):
        comment = outcome.comment
        data = super().to_representation(comment)
        data["status"] = "approved" if comment.status == Comment.Status.APPROVED else "pending"
        data["edit"] = "published" if outcome.published else "pending"
        data["message"] = outcome.message
        return data


def limit_length(body: serializers.CharField) -> None:
    # Read per request, not at import, so the setting can change without a restart.
    # Assigned, never appended: a declared field's list may be shared (get_fields).
    body.max_length = settings.COMMENTS_MAX_LENGTH
    body.validators = [*body.validators, MaxLengthValidator(settings.COMMENTS_MAX_LENGTH)]


class StrictCharField(serializers.CharField):
    """A string field that refuses numbers, booleans, lists and objects."""

    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CheckedTextField(StrictCharField):
    """A string field checked by `checks`, which refuse NUL and surrogate characters
    among others, in one regular expression (plumbing.text): DRF's own two
    validators for those, which look at the text one character at a time in
    Python, would only repeat them more slowly."""

    checks: tuple = ()

    def __init__(self, **kwargs):
        super().__init__(validators=list(self.checks), **kwargs)
        self.validators = [
            v
            for v in self.validators
            if not isinstance(
                v, ProhibitNullCharactersValidator | ProhibitSurrogateCharactersValidator
            )
        ]


class TextField(CheckedTextField):
    """Text of several lines: line breaks, but no other control characters."""

    checks = (reject_control_characters_in_text,)


class ReplyTextField(TextField):
    """A reply's text. Its serializer sets the length limit (limit_length)."""

    def __init__(self, **kwargs):
        super().__init__(help_text="Plain text; links and a little inline HTML are kept.", **kwargs)


class SingleLineField(CheckedTextField):
    checks = (reject_control_characters, reject_invisible_formatting)


class CommentCreateSerializer(serializers.Serializer):
    """What a client sends to post a comment; checked like the reply form."""

    name = SingleLineField(max_length=100)
    email = serializers.EmailField(max_length=254, help_text="Never shown or returned.")
    url = SingleLineField(
        max_length=200, required=False, allow_blank=True, help_text="http(s) address."
    )
    body = ReplyTextField()
    parent = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="The id of the comment answered.",
    )
    notify = serializers.BooleanField(
        required=False,
        default=False,
        help_text="E-mail the author when someone answers their replies to this article. "
        "Only a confirmation goes to the address until its owner opens the link in it; "
        "never echoed back.",
    )
    follow = serializers.BooleanField(
        required=False,
        default=False,
        help_text="E-mail the author every new reply to this article, at most one mail "
        "every COMMENTS_DIGEST_MINUTES (implies notify); confirmed like notify, never "
        "echoed back.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_length(self.fields["body"])
        if self.context.get("staff") is not None:
            # A signed-in member of staff posts as their account says.
            for name in ("name", "email", "url"):
                del self.fields[name]

    def validate_name(self, value):
        if is_reserved(value):
            raise serializers.ValidationError(
                "This name belongs to the newsroom or one of its staff. Please use your own."
            )
        return value

    def validate(self, data):
        staff = self.context.get("staff")
        if staff is not None:
            data.update(name=staff_display_name(staff), email=(staff.email or "").lower(), url="")
        if data.get("follow"):
            data["notify"] = True  # every reply includes the answers to one's own
        return data

    def get_fields(self):
        # A shallow copy of each declared field where DRF makes a deep one, which
        # builds every field and its validators anew on each post. Safe while
        # nothing changes a field's shared parts in place, as __init__ shows.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    def validate_email(self, value):
        reject_control_characters(value)
        return value.lower()

    def validate_url(self, value):
        if value:
            validate_web_url(value)
            URLValidator(schemes=["http", "https"])(value)
        return value


class CommentEditSerializer(serializers.Serializer):
    """An author's new text for their comment; checked like a new one."""

    body = ReplyTextField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_length(self.fields["body"])


class ModerationEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor.get_username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ModerationEvent
        fields = ["created_at", "actor", "from_status", "to_status", "reasons", "note"]


class HeldEditSerializer(serializers.ModelSerializer):
    """An edit its author sent for a published comment, waiting beside its text."""

    sent_at = serializers.DateTimeField(source="changed_at", read_only=True)

    class Meta:
        model = Revision
        fields = ["id", "body", "body_html", "reasons", "sent_at"]
        read_only_fields = fields


class ReportSummarySerializer(serializers.ModelSerializer):
    """What a reader reported, without who they are."""

    reason = serializers.ChoiceField(choices=Report.Reason.choices, read_only=True)

    class Meta:
        model = Report
        fields = ["reason", "note", "created_at"]
        read_only_fields = fields


class ModerationCommentSerializer(serializers.ModelSerializer):
    """A comment with everything a moderator needs, private fields included."""

    article = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    moderated_by = serializers.CharField(
        source="moderated_by.get_username", read_only=True, allow_null=True, default=None
    )
    history = ModerationEventSerializer(source="events", many=True, read_only=True)
    fingerprint = serializers.CharField(
        read_only=True,
        help_text="Names the text as it is now: send it as `seen` when approving, and an "
        "approval of a text its author changed since is refused (409).",
    )
    held_edit = serializers.SerializerMethodField(
        help_text="The edit its author sent, waiting for a decision (edits/<id>/approve/ "
        "or decline/); readers see `body_html` until then."
    )

    reports = ReportSummarySerializer(
        source="open_reports",
        many=True,
        read_only=True,
        help_text="Reports nobody has dismissed yet (dismiss-reports/).",
    )

    @extend_schema_field(HeldEditSerializer(allow_null=True))
    def get_held_edit(self, comment):
        held = getattr(comment, "held_edits", None)
        return HeldEditSerializer(held[0]).data if held else None

    class Meta:
        model = Comment
        fields = [
            "id",
            "article",
            "parent",
            "status",
            "author_name",
            "author_email",
            "author_url",
            "body",
            "body_html",
            "moderation_reasons",
            "ip_address",
            "user_agent",
            "ip_network",
            "purged_at",
            "notify_on_reply",
            "created_at",
            "edited_at",
            "picked_at",
            "recommendations",
            "moderated_at",
            "moderated_by",
            "fingerprint",
            "held_edit",
            "reports",
            "history",
        ]
        read_only_fields = fields


class ModerationNoteSerializer(serializers.Serializer):
    note = StrictCharField(
        required=False, allow_blank=True, max_length=300, help_text="Why, for the history."
    )
    seen = StrictCharField(
        required=False,
        max_length=32,
        help_text="The `fingerprint` of the text you read: an approval is refused (409) if "
        "its author has changed the text since.",
    )
