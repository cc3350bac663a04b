from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import models
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from plumbing.admin import ChangeFollowingAdmin

from . import services
from .models import BlockedTerm, Comment, ModerationEvent


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows: a queue of a million approved comments should
    not cost a full count on every page view. Past the cap, pages are still served."""

    COUNT_CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.COUNT_CAP].count()


class StatusFilter(admin.SimpleListFilter):
    """The moderation queues. With no choice made, moderators land on "Pending"."""

    title = "status"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [
            (Comment.Status.PENDING, "Pending"),
            (Comment.Status.APPROVED, "Approved"),
            (Comment.Status.SPAM, "Spam"),
            (Comment.Status.REMOVED, "Removed"),
            (self.ALL, "All"),
        ]

    def value(self):
        return super().value() or Comment.Status.PENDING

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(status=self.value())

    def choices(self, changelist):
        # No "All" link of Django's own: ours is explicit, since "nothing" means pending.
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class ModerationEventInline(admin.TabularInline):
    model = ModerationEvent
    verbose_name = "moderation step"
    verbose_name_plural = "moderation history"
    fields = ["created_at", "who", "from_status", "to_status", "explanation"]
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="by")
    def who(self, event):
        return event.actor or "automatic rules"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _bulk_status_action(status, description, verb):
    def action(modeladmin, request, queryset):
        changed = sum(
            services.set_status(comment, status, actor=request.user)
            for comment in queryset.select_related(None).only("pk")
        )
        modeladmin.message_user(
            request,
            ngettext("%(count)d comment %(verb)s.", "%(count)d comments %(verb)s.", changed)
            % {"count": changed, "verb": verb},
            messages.SUCCESS,
        )

    action.__name__ = f"mark_{status}"
    return admin.action(description=description, permissions=["change"])(action)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "excerpt",
        "author_name",
        "author_email",
        "article_title",
        "status",
        "reasons",
        "created_at",
        "ip_address",
    ]
    list_display_links = ["excerpt"]
    list_filter = [StatusFilter, "created_at"]
    list_select_related = ["article"]
    list_per_page = 50
    search_fields = ["author_name", "author_email", "body", "=ip_address"]
    search_help_text = "Name, e-mail, text, or an exact IP address."
    # No date hierarchy and no second, unfiltered count, and a capped count: on a big
    # table each would cost a scan per page view. The "created at" filter covers
    # recent days.
    show_full_result_count = False
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
    ]
    inlines = [ModerationEventInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["status", "article_link", "parent", "body", "rendered"]}),
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
                ]
            },
        ),
        ("Moderation", {"fields": ["reasons", "created_at", "moderated_at", "moderated_by"]}),
    ]
    readonly_fields = [
        "article_link",
        "parent",
        "rendered",
        "ip_address",
        "user_agent",
        "reasons",
        "created_at",
        "moderated_at",
        "moderated_by",
    ]

    @admin.display(description="comment")
    def excerpt(self, comment):
        return comment.excerpt

    @admin.display(description="article", ordering="article__title")
    def article_title(self, comment):
        return comment.article.title

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
        if not comment.moderation_reasons:
            return None
        return format_html_join(
            "",
            "<div>{}</div>",
            ((reason.get("detail", ""),) for reason in comment.moderation_reasons),
        )

    def has_add_permission(self, request):
        # Comments come from readers, through the same checks as everyone's.
        return False

    def save_model(self, request, obj, form, change):
        wanted_status = obj.status
        if change and "status" in form.changed_data:
            # Status changes go through set_status, which records who and why.
            obj.status = form.initial["status"]
        services.save_edit(obj, changed=form.changed_data)
        if wanted_status != obj.status:
            services.set_status(
                obj, wanted_status, actor=request.user, note="Changed on the comment page."
            )

    def delete_model(self, request, obj):
        services.delete_comments(Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.delete_comments(queryset)


@admin.register(BlockedTerm)
class BlockedTermAdmin(ChangeFollowingAdmin):
    list_display = ["value", "kind", "action", "note", "created_at"]
    list_filter = ["kind", "action"]
    search_fields = ["value", "note"]

    def changed(self):
        services.blocklist_changed()
