"""The data page: a commenter asks for a link by e-mail, then through it
downloads or erases what the site holds about their address (comments.privacy).

Every answer here is for one person: never shared, never stored by a browser
or a proxy, never indexed, and a link's token never goes to another site in a
Referer.
"""

import json

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from plumbing.http import client_ip
from plumbing.ratelimit import limit_reads, wait_for

from . import cookies, privacy
from .forms import DataRequestForm, EraseForm
from .services import network_key


def _personal(response):
    response["Cache-Control"] = "private, no-store"
    # Not "no-referrer": a browser then sends its forms with "Origin: null",
    # which the CSRF check rightly refuses. Other sites never see the token.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@limit_reads
@require_http_methods(["GET", "HEAD", "POST"])
def request_data(request):
    """Ask for a link to one's data. The answer is the same whether or not the
    address ever commented, and whether or not a mail actually went."""
    form = DataRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        # Counted by network (an IPv6 /48), as a client may hold all of one.
        network = network_key(client_ip(request), "data-link")
        rate = settings.COMMENTS_DATA_LINK_CLIENT_RATE
        wait = wait_for(request, "data-link", rate, client=network)
        if wait:
            form.is_valid()
            form.add_error(None, f"You asked for many links lately. Try again in {wait} s.")
            status = 429
        elif form.is_valid():
            privacy.request_link(form.cleaned_data["email"])
            return _personal(
                render(
                    request,
                    "comments/data_sent.html",
                    {
                        "email": form.cleaned_data["email"],
                        "hours": settings.COMMENTS_DATA_LINK_HOURS,
                    },
                )
            )
        else:
            status = 400
    response = render(
        request,
        "comments/data_request.html",
        {"form": form, "hours": settings.COMMENTS_DATA_LINK_HOURS},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(wait)
    return _personal(response)


def _open(request, token):
    """(the link, None), or (None, the page that says why it does not open)."""
    try:
        return privacy.open_link(token), None
    except privacy.LinkUnusable as unusable:
        page = render(
            request,
            "comments/data_link_unusable.html",
            {"expired": unusable.expired, "hours": settings.COMMENTS_DATA_LINK_HOURS},
            status=410 if unusable.expired else 404,
        )
        return None, _personal(page)


@limit_reads
@require_http_methods(["GET", "HEAD"])
def data(request, token):
    link, refusal = _open(request, token)
    if refusal:
        return refusal
    return _personal(_data_page(request, token, link.email, EraseForm()))


def _data_page(request, token, email, erase_form, status=200):
    return render(
        request,
        "comments/data.html",
        {
            "token": token,
            "email": email,
            "summary": privacy.summary(email),
            "erase_form": erase_form,
        },
        status=status,
    )


@limit_reads
@require_http_methods(["GET", "HEAD"])
def export_data(request, token):
    """Everything held about the link's address, as a JSON file."""
    link, refusal = _open(request, token)
    if refusal:
        return refusal
    return download(privacy.export(link.email), "my-comments-data.json")


def download(document: dict, filename: str) -> HttpResponse:
    """An export as the JSON file a browser saves (here and in the admin)."""
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _personal(response)


@require_POST
def erase_data(request, token):
    link, refusal = _open(request, token)
    if refusal:
        return refusal
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _personal(_data_page(request, token, link.email, form, status=400))
    replies = privacy.erase(link.email)
    response = render(request, "comments/data_erased.html", {"replies": replies})
    # What this browser kept for the form, and its sign-in as the commenter, go too.
    cookies.forget_author(response)
    cookies.sign_out(response)
    return _personal(response)
