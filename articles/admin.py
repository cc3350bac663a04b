from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import ngettext

from .models import Article, Section, Tag


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "is_live", "section", "published_at", "byline_shown"]
    list_filter = ["status", "section", "tags", "allow_comments", "published_at"]
    list_select_related = ["section", "author"]
    search_fields = ["title", "summary", "body", "byline"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    # Not the author: searching users needs permission to view them, which
    # editors do not have. A short list of staff does the job.
    autocomplete_fields = ["section", "tags"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "section", "summary", "body", "tags"]}),
        ("Publication", {"fields": ["status", "published_at", "author", "byline"]}),
        ("Comments", {"fields": ["allow_comments", "comments_close_at"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    @admin.display(boolean=True, description="Visible to readers")
    def is_live(self, article):
        return article.is_public

    @admin.display(description="Byline", ordering="byline")
    def byline_shown(self, article):
        return article.display_byline

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        # Saved one by one so each gets its publication date and comment window.
        with transaction.atomic():
            drafts = list(queryset.exclude(status=Article.Status.PUBLISHED))
            for article in drafts:
                article.status = Article.Status.PUBLISHED
                article.save()
        self.message_user(
            request,
            ngettext("Published %d article.", "Published %d articles.", len(drafts)) % len(drafts),
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        with transaction.atomic():
            published = list(queryset.filter(status=Article.Status.PUBLISHED))
            for article in published:
                article.status = Article.Status.DRAFT
                article.save()
        self.message_user(
            request,
            ngettext("Unpublished %d article.", "Unpublished %d articles.", len(published))
            % len(published),
            messages.SUCCESS,
        )
