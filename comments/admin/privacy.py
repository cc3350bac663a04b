"""Requests for a commenter's data that reach the editors by mail or by post:
export and erasure of one address, after WordPress's Export and Erase Personal
Data tools, and the audit trail of every export and erasure, the commenters'
own included.

Looking up and exporting needs the right to view comments; erasing, the right
to delete them, and a second step that says what will go.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import ngettext

from .. import privacy
from ..models import DataRequest
from ..privacy_views import download


class AddressForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254)


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "who", "replies"]
    list_filter = ["kind"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    change_list_template = "admin/comments/datarequest/change_list.html"

    # The trail is written by the tools alone, and kept.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="by", ordering="actor")
    def who(self, request_row):
        return request_row.actor or "the commenter, by e-mailed link"

    def get_urls(self):
        return [
            path(
                "address/",
                self.admin_site.admin_view(self.address_view),
                name="comments_datarequest_address",
            ),
            *super().get_urls(),
        ]

    def address_view(self, request):
        """One address: how much is held; then its export, or its erasure once confirmed."""
        user = request.user
        if not user.has_perm("comments.view_comment"):
            raise PermissionDenied
        form = AddressForm(request.POST or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Export or erase an address's data",
            "form": form,
            "may_erase": user.has_perm("comments.delete_comment"),
        }
        if request.method != "POST" or not form.is_valid():
            return TemplateResponse(request, "admin/comments/datarequest/address.html", context)
        email = form.cleaned_data["email"]
        action = request.POST.get("action", "look")
        if action == "export":
            return download(privacy.export(email, actor=user), "comments-data.json")
        if action in ("erase", "erase-confirmed") and not context["may_erase"]:
            raise PermissionDenied
        if action == "erase-confirmed":
            replies = privacy.erase(email, actor=user)
            self.message_user(
                request,
                ngettext(
                    "Erased the data of %(count)d reply and everything else held about "
                    "the address.",
                    "Erased the data of %(count)d replies and everything else held about "
                    "the address.",
                    replies,
                )
                % {"count": replies},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:comments_datarequest_changelist"))
        context.update(
            email=email,
            summary=privacy.summary(email),
            confirming=action == "erase",
        )
        return TemplateResponse(request, "admin/comments/datarequest/address.html", context)
