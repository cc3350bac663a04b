import re
import time
from functools import lru_cache

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout, Submit
from crispy_forms.utils import render_crispy_form
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import MaxLengthValidator
from django.urls import reverse
from django.utils.html import escape

from articles.models import Article
from plumbing.ids import parse_id
from plumbing.pagecache import personal
from plumbing.text import (
    reject_control_characters,
    reject_control_characters_in_text,
    reject_invisible_formatting,
)

from . import cookies
from .models import Report
from .moderation import FormEvidence
from .names import is_reserved, staff_display_name
from .notifications import digest_pace
from .sanitize import COMMENT_TAGS
from .validators import validate_web_url

# Signed so an old form cannot be replayed forever, nor its time faked.
TIMESTAMP_SALT = "comments.reply-form"


def sign_form_timestamp(article_id: int, issued_at: float | None = None) -> str:
    issued_at = time.time() if issued_at is None else issued_at
    return signing.dumps({"a": article_id, "t": round(issued_at, 3)}, salt=TIMESTAMP_SALT)


# Each reader gets a fresh signed timestamp, even in a page kept for everyone.
form_timestamp = personal.ReaderValue(
    "comment-form-timestamp", lambda request, article_id: sign_form_timestamp(int(article_id))
)


def read_form_timestamp(token: str, article_id: int) -> float | None:
    """When the form for `article_id` was shown, or None if the token is not genuine."""
    try:
        data = signing.loads(token, salt=TIMESTAMP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != article_id:
        return None
    issued_at = data.get("t")
    return float(issued_at) if isinstance(issued_at, int | float) else None


def clean_single_line(value: str) -> str:
    reject_control_characters(value)
    reject_invisible_formatting(value)
    return value


def limit_length(body: forms.CharField) -> None:
    # Read per form, not at import, so the setting can change without a restart.
    body.max_length = settings.COMMENTS_MAX_LENGTH
    body.validators.append(MaxLengthValidator(settings.COMMENTS_MAX_LENGTH))
    body.widget.attrs["maxlength"] = str(settings.COMMENTS_MAX_LENGTH)


class SecondarySubmit(Submit):
    """A submit button beside the form's main one, drawn as a lesser choice."""

    field_classes = "btn btn-outline-secondary"


# The name of the form's Preview button: a post that carries it is shown, not sent.
PREVIEW = "preview"


def formatting_note_html() -> str:
    """What a reply may contain, written from the sanitizer's own allowlist."""
    tags = ", ".join(f"<code>&lt;{tag}&gt;</code>" for tag in sorted(COMMENT_TAGS))
    return (
        '<p class="form-note small text-body-secondary" id="comment-formatting">'
        f"Formatting: {tags}. Web addresses become links. A blank line starts a new "
        "paragraph; other markup is shown as you typed it.</p>"
    )


class ReplyForm(forms.Form):
    """The "Leave a Reply" form under every article that accepts comments."""

    name = forms.CharField(label="Name", max_length=100)
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        help_text="Never shown to anyone.",
    )
    url = forms.URLField(label="Website", required=False, max_length=200, assume_scheme="https")
    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[reject_control_characters_in_text],
    )
    parent = forms.CharField(required=False, widget=forms.HiddenInput)
    remember = forms.BooleanField(
        required=False, label="Save my name, e-mail and website in this browser for next time."
    )
    notify = forms.BooleanField(
        required=False, label="E-mail me when someone replies to my comment."
    )
    # Implies notify. Its label says how often digests go (follow_label).
    follow = forms.BooleanField(required=False)
    timestamp = forms.CharField(required=False, widget=forms.HiddenInput)
    # A trap for robots: hidden from people and from assistive technology.
    homepage = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    # What a signed-in member of staff does not fill in: it comes from their account.
    ACCOUNT_FIELDS = ("name", "email", "url", "remember")

    def __init__(self, *args, article, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.staff = staff
        limit_length(self.fields["body"])
        self.fields["follow"].label = follow_label()
        if staff is not None:
            for name in self.ACCOUNT_FIELDS:
                del self.fields[name]
        if not self.is_bound:
            self.initial.setdefault("timestamp", sign_form_timestamp(article.pk))
        self.helper = self._build_helper()

    def _build_helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_id = "commentform"
        # "#respond": after an error, the browser scrolls straight back to the form.
        helper.form_action = _action(self.article) + "#respond"
        # Errors come from the server, named next to each field, in every browser.
        helper.attrs = {"novalidate": ""}
        if self.staff is not None:
            identity = [
                HTML(
                    '<p class="form-note" id="comment-form-note">You are replying as '
                    f"<strong>{escape(staff_display_name(self.staff))}</strong>, marked as "
                    f"{'the author' if self.article.author_id == self.staff.pk else 'staff'}.</p>"
                )
            ]
        else:
            identity = [
                HTML(
                    '<p class="form-note small text-body-secondary" id="comment-form-note">'
                    f"Your e-mail address is never shown. {_kept_note()} Required fields are "
                    'marked <span class="asteriskField" aria-hidden="true">*</span>'
                    '<span class="visually-hidden">with an asterisk</span>.</p>'
                ),
                Div(
                    Div(Field("name", autocomplete="name"), css_class="col-md-6"),
                    Div(Field("email", autocomplete="email"), css_class="col-md-6"),
                    css_class="row",
                ),
                Field("url", autocomplete="url", placeholder="https://"),
            ]
        helper.layout = Layout(
            *identity,
            "body",
            "parent",
            "timestamp",
            Div("homepage", css_class="hp-field", aria_hidden="true"),
            *(() if self.staff is not None else ("remember",)),
            "notify",
            "follow",
            HTML(formatting_note_html()),
            Submit("submit", "Post reply", css_class="mt-2"),
            SecondarySubmit(PREVIEW, "Preview", css_class="mt-2 ms-2"),
        )
        return helper

    def clean_name(self):
        name = clean_single_line(self.cleaned_data["name"])
        if is_reserved(name):
            raise ValidationError(
                "This name belongs to the newsroom or one of its staff. Please use your own."
            )
        return name

    def clean(self):
        data = super().clean()
        if self.staff is not None:
            data.update(
                name=staff_display_name(self.staff),
                email=(self.staff.email or "").lower(),
                url="",
                remember=False,
            )
        if data.get("follow"):
            data["notify"] = True  # every reply includes the answers to one's own
        return data

    def clean_email(self):
        # Stored lower-case, so returning authors and duplicates are found by index.
        return clean_single_line(self.cleaned_data["email"]).lower()

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url:
            clean_single_line(url)
            validate_web_url(url)
        return url

    def clean_parent(self):
        value = (self.cleaned_data["parent"] or "").strip()
        if not value:
            return None
        parent_id = parse_id(value)
        if parent_id is None:
            raise ValidationError(
                "The comment you are replying to is not available. "
                "You can post your text as a new comment instead."
            )
        return parent_id

    def evidence(self) -> FormEvidence:
        """How the form was filled in, for the moderation rules."""
        token = self.data.get("timestamp", "") or ""
        return FormEvidence(
            issued_at=read_form_timestamp(token, self.article.pk),
            honeypot=self.data.get("homepage", "") or "",
        )

    def renew_timestamp(self) -> None:
        """Give a form shown again (after an error) a fresh timestamp to send back."""
        self.data = self.data.copy()
        self.data["timestamp"] = sign_form_timestamp(self.article.pk)


class EditForm(forms.Form):
    """The author's new text for their reply, within the edit window."""

    body = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 8}),
        validators=[reject_control_characters_in_text],
    )

    def __init__(self, *args, comment, **kwargs):
        super().__init__(*args, **kwargs)
        limit_length(self.fields["body"])
        self.helper = FormHelper()
        self.helper.form_id = "editform"
        self.helper.form_action = reverse(
            "comments:edit", kwargs={"slug": comment.article.slug, "pk": comment.pk}
        )
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "body",
            HTML(formatting_note_html()),
            Submit("submit", "Save changes", css_class="mt-2"),
            SecondarySubmit(PREVIEW, "Preview", css_class="mt-2 ms-2"),
        )


class ReportForm(forms.Form):
    """A reader's report of a published reply."""

    reason = forms.ChoiceField(
        label="What is wrong with this reply?",
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Anything a moderator should know (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": "500"}),
        validators=[reject_control_characters_in_text],
    )

    def __init__(self, *args, comment, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "reportform"
        self.helper.form_action = reverse(
            "comments:report", kwargs={"slug": comment.article.slug, "pk": comment.pk}
        )
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout("reason", "note", Submit("submit", "Send report"))


def _kept_note() -> str:
    """One sentence on what is kept and for how long, linking to the privacy page."""
    days = settings.COMMENTS_IP_RETENTION_DAYS
    kept = f"for {days} day{'s' if days != 1 else ''}" if days > 0 else "with your reply"
    return (
        f'Your IP address is kept {kept} (<a href="{reverse("comments:privacy")}">'
        "how we handle your data</a>)."
    )


# Stands for the article in the markup made once per process; it shows only in
# the form's action address, which is made again for the real article.
_STAND_IN = Article(pk=0, slug="article-stand-in")  # never saved


def _action(article) -> str:
    return reverse("comments:post", kwargs={"slug": article.slug})


def follow_label() -> str:
    return f"E-mail me every new reply to this discussion ({digest_pace()})."


def _remembered(request, field: str) -> str:
    """The details a returning reader asked to be remembered, for the form."""
    details = getattr(request, "_remembered_author", None)
    if details is None:
        details = request._remembered_author = cookies.remembered_author(request)
    if field == "remember":
        return "checked" if details else ""
    return escape(details.get(field, ""))


# What "Remember me" keeps goes into a page every reader shares as a reader
# value, so the cookie does not make that page a reader's own.
remembered = personal.ReaderValue("comment-form-remembered", _remembered)
# The Remember box's "checked", wherever among its attributes the widget puts it.
_CHECKED = re.compile(r'(<input\b[^>]*\bname="remember"[^>]*?)\schecked\b')


@lru_cache(maxsize=8)
def _blank_form_markup(max_length: int, retention_days: int, digest_minutes: int) -> str:
    initial = {field: remembered.placeholder(field) for field in ("name", "email", "url")}
    form = ReplyForm(
        article=_STAND_IN,
        initial={
            **initial,
            "remember": True,
            "timestamp": form_timestamp.placeholder(str(_STAND_IN.pk)),
        },
    )
    markup = render_crispy_form(form, context={"csrf_token": personal.csrf_token.placeholder()})
    markup, found = _CHECKED.subn(rf"\1 {remembered.placeholder('remember')}", markup)
    if found != 1:
        raise ImproperlyConfigured("The reply form's Remember box is not drawn as expected.")
    return markup


def blank_form_html(request, article) -> str:
    """The reply form as a new reader sees it (or a returning one, with the
    details they asked to be remembered), for `article`.

    Crispy renders it once per process and setting: it depends on nothing else,
    and rendering it takes longer than drawing a thread of 200 comments. The
    reader's CSRF token, timestamp and remembered details are filled in here,
    or, in a page kept for every reader, when the page is served.
    """
    html = (
        _blank_form_markup(
            settings.COMMENTS_MAX_LENGTH,
            settings.COMMENTS_IP_RETENTION_DAYS,
            settings.COMMENTS_DIGEST_MINUTES,
        )
        .replace(_action(_STAND_IN), _action(article))
        .replace(
            form_timestamp.placeholder(str(_STAND_IN.pk)),
            form_timestamp.placeholder(str(article.pk)),
        )
    )
    if personal.is_shared_render(request):
        personal.mark_reader_values(request)  # its placeholders are filled when served
        return html
    return personal.fill(request, html)


class DataRequestForm(forms.Form):
    """The data page's one question: which address."""

    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        validators=[reject_control_characters],
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class EraseForm(forms.Form):
    """Erasure cannot be undone: the reader says they know."""

    understood = forms.BooleanField(
        label="I understand that my replies' text, my name and my address will be erased for good.",
        error_messages={"required": "Tick the box to confirm you want everything erased."},
    )
