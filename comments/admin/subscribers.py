from django.contrib import admin, messages
from django.utils.translation import ngettext

from .. import notifications
from ..models import Subscriber, Subscription


class SubscriptionInline(admin.TabularInline):
    """What the address asked for; only its owner changes it (their links and page)."""

    model = Subscription
    fields = ["article", "kind", "created_at", "confirmed_at", "last_sent_at", "sent_through"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _count(request, modeladmin, count: int, done: str) -> None:
    modeladmin.message_user(
        request,
        ngettext("%(count)d address %(done)s.", "%(count)d addresses %(done)s.", count)
        % {"count": count, "done": done},
        messages.SUCCESS,
    )


@admin.action(description="Mark as bounced (stop all mail)", permissions=["change"])
def mark_bounced(modeladmin, request, queryset):
    stopped = notifications.mark_bounced(queryset.values_list("email", flat=True))
    _count(request, modeladmin, stopped, "marked as bounced")


@admin.action(description="Allow mail again", permissions=["change"])
def allow_again(modeladmin, request, queryset):
    _count(request, modeladmin, notifications.allow_again(queryset), "allowed mail again")


@admin.action(description="Sign out every browser", permissions=["change"])
def sign_out_everywhere(modeladmin, request, queryset):
    subscribers = list(queryset)
    for subscriber in subscribers:
        notifications.sign_out_everywhere(subscriber)
    _count(request, modeladmin, len(subscribers), "signed out everywhere")


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    """Addresses that asked for mail. Editors stop or allow it; what each address
    follows is its owner's to change."""

    list_display = ["email", "verified_at", "stopped_at", "stopped_because"]
    list_filter = ["stopped_because"]
    search_fields = ["email"]
    fields = ["email", "created_at", "verified_at", "stopped_at", "stopped_because"]
    readonly_fields = fields
    inlines = [SubscriptionInline]
    actions = [mark_bounced, allow_again, sign_out_everywhere]

    def has_add_permission(self, request):
        return False  # an address subscribes itself, by confirming
