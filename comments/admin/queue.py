"""The moderation queue: the comment changelist, made for clearing it every day.

Each row shows the reply as readers will see it, what it answers and where,
why the rules held it, and its author's record; one click decides it (a small
POST form per button, no JavaScript needed), through services.set_status, and
brings the moderator back to the same place in the queue.
"""

import ipaddress
from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.defaultfilters import pluralize
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import services
from ..models import BlockedTerm, Comment, ModerationEvent, Report, Revision

Status = Comment.Status


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows: a queue of a million approved comments should
    not cost a full count on every page view. Past the cap, pages are still served."""

    COUNT_CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.COUNT_CAP].count()


def capped_count(queryset) -> str:
    """The number of rows, read no further than COUNT_CAP: "10,000+" past it."""
    found = queryset[: CappedCountPaginator.COUNT_CAP].count()
    return f"{found:,}+" if found == CappedCountPaginator.COUNT_CAP else f"{found:,}"


class StatusFilter(admin.SimpleListFilter):
    """The moderation queues. With no choice made, moderators land on "Pending"."""

    title = "status"
    parameter_name = "status"
    ALL = "all"
    # Published replies whose author's edit waits for a moderator.
    EDITS = "edits"
    # Replies readers reported, most reporters first.
    REPORTED = "reported"

    def lookups(self, request, model_admin):
        return [
            (Comment.Status.PENDING, "Pending"),
            (self.EDITS, "Edits"),
            (self.REPORTED, "Reported"),
            (Comment.Status.APPROVED, "Approved"),
            (Comment.Status.SPAM, "Spam"),
            (Comment.Status.REMOVED, "Removed"),
            (Comment.Status.DELETED, "Deleted by author"),
            (self.ALL, "All"),
        ]

    def value(self):
        return super().value() or Comment.Status.PENDING

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        if self.value() == self.EDITS:
            return queryset.filter(revisions__state=Revision.State.HELD)
        if self.value() == self.REPORTED:
            open_reports = Q(reports__dismissed_at__isnull=True, reports__isnull=False)
            return queryset.annotate(reporters=Count("reports", filter=open_reports)).filter(
                reporters__gt=0
            )
        return queryset.filter(status=self.value())

    # The queues that need clearing say how long they are (index-only counts).
    COUNTED = {
        Status.PENDING: lambda: Comment.objects.filter(status=Status.PENDING),
        EDITS: lambda: Revision.objects.filter(state=Revision.State.HELD),
        REPORTED: lambda: (
            # No ordering: it would take part in the DISTINCT.
            Report.objects.filter(dismissed_at__isnull=True).order_by().values("comment").distinct()
        ),
        Status.SPAM: lambda: Comment.objects.filter(status=Status.SPAM),
    }

    def choices(self, changelist):
        # No "All" link of Django's own: ours is explicit, since "nothing" means pending.
        for value, label in self.lookup_choices:
            if value in self.COUNTED:
                label = f"{label} ({capped_count(self.COUNTED[value]())})"
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


def _button(url: str, label: str, css: str = "") -> str:
    """A button of the page's one small POST form (form="queue-decide")."""
    return format_html(
        '<button type="submit" form="queue-decide" formaction="{}" class="button {}">{}</button>',
        url,
        css,
        label,
    )


def _moment(moment) -> str:
    return date_format(localtime(moment), "DATETIME_FORMAT")


class RecordInline(admin.TabularInline):
    """Rows of a comment's record: shown on its page, never added, changed or deleted."""

    can_delete = False
    extra = 0
    max_num = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RevisionInline(RecordInline):
    """Every earlier text of the comment, and the edits its author sent."""

    model = Revision
    verbose_name = "version"
    verbose_name_plural = "earlier versions and edits (the text above is the current one)"
    fields = ["story", "text", "act"]
    ordering = ["changed_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    def has_view_permission(self, request, obj=None):
        # Versions are part of the comment: whoever may read it may read them.
        return request.user.has_perm("comments.view_comment")

    @admin.display(description="what")
    def story(self, revision):
        who = revision.changed_by or "its author"
        when = _moment(revision.changed_at)
        State = Revision.State
        if revision.state == State.EARLIER:
            return f"Shown until {when}; replaced by {who}."
        if revision.state == State.HELD:
            return f"Edit sent by its author at {when}; awaiting moderation."
        if revision.state == State.WITHDRAWN:
            return f"Edit sent at {when}; withdrawn, or replaced by a later text."
        if revision.state == State.APPROVED:
            return f"Edit sent by its author at {when}; approved by {who}."
        decided = revision.changed_by or "the rules (spam)"
        return f"Edit sent at {when}; declined by {decided}."

    @admin.display(description="text")
    def text(self, revision):
        return format_html(
            '<div class="comment-preview">{}</div>{}',
            mark_safe(revision.body_html),  # noqa: S308 (sanitized when it was written)
            _reasons_list(revision.reasons),
        )

    @admin.display(description="")
    def act(self, revision):
        if revision.state == Revision.State.EARLIER:
            url = reverse("admin:comments_comment_restore", args=[revision.comment_id, revision.pk])
            return _button(url, "Restore this version")
        if revision.state == Revision.State.HELD:
            return _edit_buttons(revision)
        return ""


def _edit_buttons(edit: Revision) -> str:
    """Approve or decline this edit (not whichever waits when the button is pressed)."""
    return format_html(
        "{}{}",
        *(
            _button(
                reverse(
                    "admin:comments_comment_edit_decision",
                    args=[edit.comment_id, edit.pk, decision],
                ),
                label,
                f"queue-edit-{decision}",
            )
            for decision, label in EDIT_DECISIONS.items()
        ),
    )


# What a moderator can do with an edit its author sent: approve it, or decline it.
EDIT_DECISIONS = {"approve": "Approve edit", "decline": "Decline edit"}


def _reasons_list(reasons):
    if not reasons:
        return ""
    return format_html(
        '<ul class="queue-reasons">{}</ul>',
        format_html_join("", "<li>{}</li>", ((reason.get("detail", ""),) for reason in reasons)),
    )


class ModerationEventInline(RecordInline):
    model = ModerationEvent
    verbose_name = "moderation step"
    verbose_name_plural = "moderation history"
    fields = ["created_at", "who", "from_status", "to_status", "explanation"]
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="by")
    def who(self, event):
        return event.actor or "automatic rules"


def seen_name(comment_id: int) -> str:
    """The queue row's hidden field: the fingerprint of the text the moderator saw."""
    return f"seen-{comment_id}"


def _bulk_status_action(status, description, verb):
    def action(modeladmin, request, queryset):
        changed, refused = 0, []
        for comment in queryset.select_related(None).only("pk", "author_name"):
            try:
                seen = request.POST.get(seen_name(comment.pk))
                changed += services.set_status(comment, status, actor=request.user, seen=seen)
            except services.CannotDecide as refusal:
                refused.append(f"{comment.author_name}: {refusal.message}")
        modeladmin.message_user(
            request,
            ngettext("%(count)d comment %(verb)s.", "%(count)d comments %(verb)s.", changed)
            % {"count": changed, "verb": verb},
            messages.SUCCESS,
        )
        for refusal in refused:
            modeladmin.message_user(request, refusal, messages.WARNING)

    action.__name__ = f"mark_{status}"
    return admin.action(description=description, permissions=["change"])(action)


@admin.action(description="Dismiss reports on selected comments", permissions=["change"])
def dismiss_selected_reports(modeladmin, request, queryset):
    dismissed = sum(
        services.dismiss_reports(comment, actor=request.user)
        for comment in queryset.select_related(None).only("pk")
    )
    modeladmin.message_user(
        request,
        ngettext("%(count)d report dismissed.", "%(count)d reports dismissed.", dismissed)
        % {"count": dismissed},
        messages.SUCCESS,
    )


PICK_MARK = mark_safe(' <span class="queue-pick">Editors&rsquo; pick</span>')


def _pick_action(picked: bool, description: str):
    def action(modeladmin, request, queryset):
        changed, refused = 0, 0
        for comment in queryset.select_related(None).only("pk"):
            try:
                changed += services.pick(comment, actor=request.user, picked=picked)
            except services.CannotDecide:
                refused += 1
        modeladmin.message_user(
            request,
            ngettext("%(count)d comment changed.", "%(count)d comments changed.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )
        if refused:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d comment is not published and cannot be a pick.",
                    "%(count)d comments are not published and cannot be picks.",
                    refused,
                )
                % {"count": refused},
                messages.WARNING,
            )

    action.__name__ = "pick" if picked else "unpick"
    return admin.action(description=description, permissions=["change"])(action)


# What one click does, in the order the buttons show: (status, label, key).
DECISIONS = {
    "approve": (Status.APPROVED, "Approve", "a"),
    "spam": (Status.SPAM, "Spam", "s"),
    "remove": (Status.REMOVED, "Remove", "r"),
    "restore": (Status.PENDING, "Restore", "u"),
}


def decisions_for(status: str) -> list[str]:
    """The one-click decisions a comment of `status` can take. What its author
    deleted stays deleted (services.set_status)."""
    if status == Status.DELETED:
        return []
    return [
        decision
        for decision, (to_status, _, _) in DECISIONS.items()
        if to_status != status
        # Restore is for what was set aside; a published reply is removed instead.
        and not (decision == "restore" and status == Status.APPROVED)
    ]


def _network(comment) -> tuple[str, str] | None:
    """The reply's IP address widened to what one subscriber holds: /24, or /64."""
    if not comment.ip_address:
        return None
    address = ipaddress.ip_address(comment.ip_address)
    prefix = 24 if address.version == 4 else 64
    return BlockedTerm.Kind.IP, str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


# What a row can block: (button label, what to block).
BLOCKS = {
    "email": (
        "Block e-mail",
        lambda c: (BlockedTerm.Kind.EMAIL, c.author_email) if c.author_email else None,
    ),
    "ip": ("Block IP", lambda c: (BlockedTerm.Kind.IP, c.ip_address) if c.ip_address else None),
    "network": ("Block network", _network),
}
BLOCK_DAYS = (1, 7, 30)  # and "until deleted"

# The queue can be filtered to everything from one author or address, from the row.
AUTHOR_LOOKUPS = ("author_email", "author_url", "ip_address")
RECORD = [
    (Status.APPROVED, "approved"),
    (Status.PENDING, "held"),
    (Status.SPAM, "spam"),
    (Status.REMOVED, "removed"),
    (Status.DELETED, "deleted"),
]


class CommentForm(forms.ModelForm):
    """A comment's page. It remembers which text the moderator opened, so a save
    cannot quietly undo an edit its author made meanwhile; and only authors
    delete (moderators remove)."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Comment
        fields = ["status", "body"]  # the admin names the rest (fieldsets)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["seen"] = self.instance.fingerprint
        status = self.fields.get("status")
        if status is not None:
            status.choices = [c for c in status.choices if c[0] != Status.DELETED]

    def clean(self):
        seen = self.cleaned_data.get("seen")
        # The instance was read again for this POST: it holds the text as it is now.
        if seen and seen != self.instance.fingerprint:
            raise ValidationError(
                "Its author changed this reply while you had it open; nothing was saved. "
                "Read it again below, then make your change."
            )
        return super().clean()


class QueueChangeList(ChangeList):
    """The changelist, with each shown author's record on the site (one query), and
    what waits beside each reply: an edit, reports (one query each)."""

    def get_ordering(self, request, queryset):
        if request.GET.get(StatusFilter.parameter_name) == StatusFilter.REPORTED:
            return ["-reporters", "-created_at", "-id"]
        return super().get_ordering(request, queryset)

    def get_results(self, request):
        super().get_results(request)
        # Erased replies have no address: they are nobody's record.
        emails = {comment.author_email for comment in self.result_list} - {""}
        counts = (
            Comment.objects.filter(author_email__in=emails)
            .values_list("author_email", "status")
            .annotate(comments=Count("pk"))
            .order_by()
        )
        records = defaultdict(dict)
        for email, status, comments in counts:
            records[email][status] = comments
        held = {
            revision.comment_id: revision
            for revision in Revision.objects.filter(
                comment__in=[comment.pk for comment in self.result_list],
                state=Revision.State.HELD,
            )
        }
        reports = defaultdict(list)
        for report in Report.objects.filter(
            comment__in=[comment.pk for comment in self.result_list], dismissed_at__isnull=True
        ):
            reports[report.comment_id].append(report)
        for comment in self.result_list:
            comment.author_record = records[comment.author_email]
            comment.held_edit = held.get(comment.pk)
            comment.open_reports = reports[comment.pk]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["reply", "author", "decide"]
    list_display_links = None  # the reply cell links to the comment's own page
    list_filter = [StatusFilter, "created_at"]
    list_select_related = ["article", "parent"]
    list_per_page = 50
    search_fields = ["author_name", "author_email", "body", "=ip_address"]
    search_help_text = "Name, e-mail, text, or an exact IP address."
    # No date hierarchy and no second, unfiltered count, and a capped count: on a big
    # table each would cost a scan per page view. The "created at" filter covers
    # recent days.
    show_full_result_count = False
    # Nor Django's "Show counts": an uncapped count for every filter choice.
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    ordering = ["-created_at", "-id"]
    actions = [
        _bulk_status_action(Comment.Status.APPROVED, "Approve selected comments", "approved"),
        _bulk_status_action(
            Comment.Status.SPAM, "Mark selected comments as spam", "marked as spam"
        ),
        _bulk_status_action(Comment.Status.REMOVED, "Remove selected comments", "removed"),
        _bulk_status_action(
            Comment.Status.PENDING, "Restore selected comments to pending", "restored to pending"
        ),
        dismiss_selected_reports,
        _pick_action(True, "Make selected comments editors' picks"),
        _pick_action(False, "Remove selected comments from editors' picks"),
    ]
    inlines = [RevisionInline, ModerationEventInline]
    form = CommentForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["status", "article_link", "parent", "body", "rendered", "seen"]}),
        (
            "Author (private)",
            {
                "fields": [
                    "author_name",
                    "author_email",
                    "author_url",
                    "notify_on_reply",
                    "ip_address",
                    "user_agent",
                    "personal_data",
                ]
            },
        ),
        (
            "Moderation",
            {
                "fields": [
                    "reasons",
                    "recommendations",
                    "created_at",
                    "moderated_at",
                    "moderated_by",
                ]
            },
        ),
    ]
    readonly_fields = [
        "article_link",
        "parent",
        "rendered",
        "ip_address",
        "user_agent",
        "personal_data",
        "reasons",
        "recommendations",
        "created_at",
        "moderated_at",
        "moderated_by",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == Status.DELETED:
            return [*self.readonly_fields, "status"]  # its author's choice, kept
        return self.readonly_fields

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in AUTHOR_LOOKUPS or super().lookup_allowed(lookup, value, request)

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        approve_author = self.admin_site.admin_view(self.approve_author_view)
        return [
            path(
                "<path:object_id>/decide/<slug:decision>/",
                decide,
                name="comments_comment_decide",
            ),
            path("approve-author/", approve_author, name="comments_comment_approve_author"),
            path(
                "<path:object_id>/edits/<int:edit>/<slug:decision>/",
                self.admin_site.admin_view(self.edit_decision_view),
                name="comments_comment_edit_decision",
            ),
            path(
                "<path:object_id>/dismiss-reports/",
                self.admin_site.admin_view(self.dismiss_reports_view),
                name="comments_comment_dismiss_reports",
            ),
            path(
                "<path:object_id>/versions/<int:revision>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="comments_comment_restore",
            ),
            path(
                "<path:object_id>/block/<slug:what>/",
                self.admin_site.admin_view(self.block_view),
                name="comments_comment_block",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        # Filtered to one author or address: offer to approve all they have waiting.
        author = next(
            ((lookup, request.GET[lookup]) for lookup in AUTHOR_LOOKUPS if request.GET.get(lookup)),
            None,
        )
        extra_context = {**(extra_context or {}), "queue_author": author}
        return super().changelist_view(request, extra_context=extra_context)

    @method_decorator(require_POST)
    def approve_author_view(self, request):
        """Approve every reply waiting from one e-mail address, website or IP."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        lookup, value = request.POST.get("lookup"), request.POST.get("value", "")
        if lookup not in AUTHOR_LOOKUPS or not value:
            raise Http404("No such author.")
        waiting = Comment.objects.filter(status=Status.PENDING, **{lookup: value})
        approved = sum(
            services.set_status(comment, Status.APPROVED, actor=request.user)
            for comment in waiting.only("pk")
        )
        self.message_user(
            request,
            ngettext("%(count)d reply approved.", "%(count)d replies approved.", approved)
            % {"count": approved},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._back(request))

    def _row(self, request, object_id, choice: str, choices: dict) -> Comment:
        """The comment a row's button was for, if the button is one it has."""
        comment = self.get_object(request, object_id) if choice in choices else None
        if comment is None:
            raise Http404("No such comment or button.")
        return comment

    @method_decorator(require_POST)
    def block_view(self, request, object_id, what):
        """Block this reply's e-mail address, IP address or network from now on."""
        comment = self._row(request, object_id, what, BLOCKS)
        if not request.user.has_perm("comments.add_blockedterm"):
            raise PermissionDenied
        blocked = BLOCKS[what][1](comment)
        if blocked is None:
            raise Http404("This reply has no address to block.")
        try:
            days = int(request.POST.get("days") or 0)
        except ValueError:
            days = 0
        term = services.block(
            *blocked,
            actor=request.user,
            days=days if days in BLOCK_DAYS else None,
            # The reply, not its author's name: a name here would outlive an erasure.
            note=f"Blocked from the queue, at reply {comment.pk}.",
        )
        until = (
            f"until {date_format(localtime(term.expires_at), 'DATETIME_FORMAT')}"
            if term.expires_at
            else "until deleted"
        )
        self.message_user(request, f"Blocked {term.value} {until}.", messages.SUCCESS)
        return HttpResponseRedirect(self._back(request))

    @staticmethod
    def _back(request) -> str:
        """Where the moderator came from, if it is on this site; else the queue."""
        back = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return back
        return reverse("admin:comments_comment_changelist")

    @method_decorator(require_POST)
    def edit_decision_view(self, request, object_id, edit, decision):
        """Approve or decline the edit its author sent for a published reply."""
        comment = self._row(request, object_id, decision, EDIT_DECISIONS)
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        approve = decision == "approve"
        if services.decide_edit(comment, edit, approve=approve, actor=request.user):
            done = "approved: readers see it" if approve else "declined"
            self.message_user(
                request, f"The edit of {comment.author_name}'s reply: {done}.", messages.SUCCESS
            )
        else:
            self.message_user(
                request,
                "This edit no longer waits: it was decided, or its author sent another.",
                messages.WARNING,
            )
        return HttpResponseRedirect(self._back(request))

    @method_decorator(require_POST)
    def dismiss_reports_view(self, request, object_id):
        """The moderator read the reports and leaves the reply up."""
        comment = self.get_object(request, object_id)
        if comment is None:
            raise Http404("No such comment.")
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        dismissed = services.dismiss_reports(comment, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d report dismissed.", "%(count)d reports dismissed.", dismissed)
            % {"count": dismissed},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._back(request))

    @method_decorator(require_POST)
    def restore_view(self, request, object_id, revision):
        """Show an earlier version of a reply again."""
        comment = self.get_object(request, object_id)
        if comment is None:
            raise Http404("No such comment.")
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        earlier = comment.revisions.filter(pk=revision, state=Revision.State.EARLIER).first()
        if earlier is None:
            raise Http404("No such version.")
        services.restore_version(comment, earlier, actor=request.user)
        self.message_user(
            request,
            f"Restored the version shown until {_moment(earlier.changed_at)}.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._back(request))

    @method_decorator(require_POST)
    def decide_view(self, request, object_id, decision):
        """One click on a row: the decision, recorded with the moderator, then back
        to the same place in the queue."""
        comment = self._row(request, object_id, decision, DECISIONS)
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        status = DECISIONS[decision][0]
        try:
            changed = services.set_status(
                comment, status, actor=request.user, seen=request.GET.get("seen")
            )
        except services.CannotDecide as refusal:
            # The script falls back to the plain form, which shows this.
            if request.headers.get("accept", "").startswith("application/json"):
                return JsonResponse({"detail": refusal.message}, status=refusal.status_code)
            self.message_user(request, refusal.message, messages.WARNING)
            return HttpResponseRedirect(self._back(request))
        if request.headers.get("accept", "").startswith("application/json"):
            # The queue's script changes the row in place (static/js/queue.js).
            return JsonResponse(
                {
                    "id": comment.pk,
                    "status": comment.status,
                    "status_label": comment.get_status_display(),
                    "decide_html": self.decide(comment),
                }
            )
        if changed:
            self.message_user(
                request,
                f"The reply of {comment.author_name}: {Status(status).label.lower()}.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self._back(request))

    @admin.display(description="kept until")
    def personal_data(self, comment):
        """Whether the address and user agent were purged yet (comments.retention),
        or everything personal erased at its author's request (comments.privacy)."""
        if comment.erased_at is not None:
            when = date_format(localtime(comment.erased_at), "DATETIME_FORMAT")
            return f"Erased at its author's request on {when}: name, addresses and text."
        network = f" (network {comment.ip_network} kept)" if comment.ip_network else ""
        if comment.purged_at is not None:
            when = date_format(localtime(comment.purged_at), "DATETIME_FORMAT")
            return f"Purged on {when}{network}."
        days = settings.COMMENTS_IP_RETENTION_DAYS
        if days <= 0:
            return "Kept (COMMENTS_IP_RETENTION_DAYS is 0)."
        until = date_format(localtime(comment.created_at + timedelta(days=days)), "DATE_FORMAT")
        return f"Kept until about {until}, then purged."

    @admin.display(description="reply")
    def reply(self, comment):
        article = comment.article
        context = format_html(
            '<span class="queue-status queue-status-{}">{}</span>{} '
            '<time datetime="{}">{}</time> under <a href="{}">{}</a>',
            comment.status,
            comment.get_status_display(),
            PICK_MARK if comment.picked_at else "",
            comment.created_at.isoformat(),
            date_format(localtime(comment.created_at), "DATETIME_FORMAT"),
            article.get_absolute_url(),
            article.title,
        )
        if comment.recommendations:
            context += format_html(
                ', <span class="queue-recommendations">recommended by {} reader{}</span>',
                comment.recommendations,
                pluralize(comment.recommendations),
            )
        if comment.parent_id:
            parent = comment.parent
            context += format_html(
                ', in reply to <a href="{}">{}: “{}”</a>',
                reverse("admin:comments_comment_change", args=[parent.pk]),
                parent.author_name,
                parent.excerpt,
            )
        return format_html(
            '<div class="queue-reply" id="comment-row-{}">'
            '<input type="hidden" name="{}" value="{}">'
            '<p class="queue-context">{}</p>'
            '<div class="comment-preview">{}</div>{}{}{}'
            '<p class="queue-more"><a href="{}">Details and history</a></p></div>',
            comment.pk,
            seen_name(comment.pk),
            comment.fingerprint,
            context,
            mark_safe(comment.body_html),  # noqa: S308 (sanitized when it was written)
            self.reasons(comment) or "",
            self.held_edit(comment),
            self.reports(comment),
            reverse("admin:comments_comment_change", args=[comment.pk]),
        )

    @staticmethod
    def reports(comment) -> str:
        """What readers reported, and why (who reported is never shown)."""
        reports = getattr(comment, "open_reports", None)
        if not reports:
            return ""
        readers = ngettext("%(n)d reader", "%(n)d readers", len(reports)) % {"n": len(reports)}
        return format_html(
            '<div class="queue-reports"><p class="queue-context">Reported by {}:</p>'
            '<ul class="queue-reasons">{}</ul></div>',
            readers,
            format_html_join(
                "",
                "<li>{}{}</li>",
                ((r.get_reason_display(), f": “{r.note}”" if r.note else "") for r in reports),
            ),
        )

    @staticmethod
    def held_edit(comment) -> str:
        """The edit its author sent, waiting beside the published text."""
        held = getattr(comment, "held_edit", None)
        if held is None:
            return ""
        return format_html(
            '<div class="queue-held-edit"><p class="queue-context">Edit sent by its author at '
            "{}, awaiting your decision; readers see the text above until then:</p>"
            '<div class="comment-preview">{}</div>{}<p>{}</p></div>',
            _moment(held.changed_at),
            mark_safe(held.body_html),  # noqa: S308 (sanitized when it was written)
            _reasons_list(held.reasons),
            _edit_buttons(held),
        )

    @admin.display(description="author")
    def author(self, comment):
        def only(lookup, value):
            query = urlencode({lookup: value, "status": StatusFilter.ALL})
            return format_html(
                '<a href="?{}" title="Everything from {}">{}</a>', query, value, value
            )

        lines = [format_html("<strong>{}</strong>", comment.author_name)]
        lines.append(only("author_email", comment.author_email))
        if comment.author_url:
            lines.append(only("author_url", comment.author_url))
        if comment.ip_address:
            lines.append(only("ip_address", comment.ip_address))
        record = getattr(comment, "author_record", {})
        lines.append(
            format_html(
                '<span class="queue-record">{}</span>',
                " · ".join(f"{record.get(status, 0)} {word}" for status, word in RECORD),
            )
        )
        return format_html(
            '<div class="queue-author">{}</div>',
            format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines)),
        )

    @admin.display(description="decide")
    def decide(self, comment):
        blocks = format_html_join(
            "",
            '<button type="submit" form="queue-decide" formaction="{}" '
            'class="button queue-block">{}</button>',
            (
                (reverse("admin:comments_comment_block", args=[comment.pk, what]), label)
                for what, (label, blocked) in BLOCKS.items()
                if blocked(comment) is not None
            ),
        )
        dismiss = (
            _button(
                reverse("admin:comments_comment_dismiss_reports", args=[comment.pk]),
                "Dismiss reports",
                "queue-dismiss",
            )
            if getattr(comment, "open_reports", None)
            else ""
        )
        return format_html(
            '{}{}<div class="queue-blocks">{}</div>', self._decisions(comment), dismiss, blocks
        )

    def _decisions(self, comment):
        return format_html_join(
            "",
            '<button type="submit" form="queue-decide" formaction="{}" '
            'class="button queue-decision queue-{}" aria-keyshortcuts="{}">{}</button>',
            (
                (
                    # An approval names the text it approves (services.TextChanged).
                    reverse("admin:comments_comment_decide", args=[comment.pk, decision])
                    + (f"?seen={comment.fingerprint}" if decision == "approve" else ""),
                    decision,
                    DECISIONS[decision][2],
                    DECISIONS[decision][1],
                )
                for decision in decisions_for(comment.status)
            ),
        )

    @admin.display(description="article")
    def article_link(self, comment):
        # The public page: moderators may not edit articles, but they can read them.
        return format_html(
            '<a href="{}">{}</a>', comment.article.get_absolute_url(), comment.article.title
        )

    @admin.display(description="as readers see it")
    def rendered(self, comment):
        # body_html is the sanitized output; showing it here is as safe as on the site.
        return format_html(
            '<div class="comment-preview">{}</div>',
            mark_safe(comment.body_html),  # noqa: S308
        )

    @admin.display(description="why")
    def reasons(self, comment):
        return _reasons_list(comment.moderation_reasons) or None

    def has_add_permission(self, request):
        # Comments come from readers, through the same checks as everyone's.
        return False

    def save_model(self, request, obj, form, change):
        wanted_status = obj.status
        if change and "status" in form.changed_data:
            # Status changes go through set_status, which records who and why.
            obj.status = form.initial["status"]
        services.save_edit(obj, changed=form.changed_data, actor=request.user)
        if wanted_status != obj.status:
            services.set_status(
                obj, wanted_status, actor=request.user, note="Changed on the comment page."
            )

    def delete_model(self, request, obj):
        services.delete_comments(Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.delete_comments(queryset)
