from django.contrib import admin

from plumbing.admin import ChangeFollowingAdmin

from .. import services
from ..models import BlockedTerm


@admin.register(BlockedTerm)
class BlockedTermAdmin(ChangeFollowingAdmin):
    list_display = ["value", "kind", "action", "note", "created_at"]
    list_filter = ["kind", "action"]
    search_fields = ["value", "note"]

    def changed(self):
        services.blocklist_changed()
