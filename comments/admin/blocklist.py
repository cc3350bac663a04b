from django.contrib import admin

from plumbing.admin import ChangeFollowingAdmin

from .. import services
from ..models import BlockedTerm


@admin.register(BlockedTerm)
class BlockedTermAdmin(ChangeFollowingAdmin):
    list_display = ["value", "kind", "action", "note", "expires_at", "created_at", "created_by"]
    list_filter = ["kind", "action"]
    search_fields = ["value", "note"]

    def changed(self):
        services.blocklist_changed()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
