from django.contrib import admin


class ChangeFollowingAdmin(admin.ModelAdmin):
    """An admin whose every save and delete is followed by `changed()`, in the same
    transaction: for rows whose change other content depends on (a section's
    name on every page, the blocklist every new reply is checked against)."""

    def changed(self) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self.changed()
