from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from plumbing.admin import ChangeFollowingAdmin

from . import services
from .middleware import old_path_problem
from .models import Article, Redirect, Section, Tag


class TaxonomyAdmin(ChangeFollowingAdmin):
    """Sections and tags show on many pages."""

    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def changed(self):
        services.taxonomy_changed()


admin.site.register(Section, TaxonomyAdmin)
admin.site.register(Tag, TaxonomyAdmin)


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
        old_slug, was_public = obj.stored_slug, obj.was_public
        super().save_model(request, obj, form, change)
        # The tags are saved next, in the same transaction: readers see all at once.
        services.article_changed(obj, old_slug=old_slug, was_public=was_public)

    def delete_model(self, request, obj):
        services.delete_articles(Article.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.delete_articles(queryset)

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        drafts = services.set_publication(queryset, Article.Status.PUBLISHED)
        self.message_user(
            request,
            ngettext("Published %d article.", "Published %d articles.", len(drafts)) % len(drafts),
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        published = services.set_publication(queryset, Article.Status.DRAFT)
        self.message_user(
            request,
            ngettext("Unpublished %d article.", "Unpublished %d articles.", len(published))
            % len(published),
            messages.SUCCESS,
        )


class RedirectForm(forms.ModelForm):
    class Meta:
        model = Redirect
        fields = ["old_path", "article", "to_feed"]
        help_texts = {
            "old_path": 'The path on the old site, as readers see it: "/2018/10/20/a-title/", '
            'or "/?p=123". With or without the last "/", both answer.',
        }

    def clean_old_path(self):
        # Kept as typed: a path is only refused when no request could ever match it.
        old_path = self.cleaned_data["old_path"]
        if problem := old_path_problem(old_path):
            raise ValidationError(problem, code="unreachable")
        return old_path


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    """Old addresses of imported articles: the importer writes them, editors correct them."""

    form = RedirectForm
    list_display = ["old_path", "article", "to_feed", "created_at"]
    list_filter = ["to_feed"]
    list_select_related = ["article"]
    search_fields = ["old_path", "article__title"]
    autocomplete_fields = ["article"]
    readonly_fields = ["created_at"]
