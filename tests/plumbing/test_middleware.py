"""The site's CSP middleware builds the plain policy once and leaves the rest to django-csp."""

import pytest
from csp.decorators import csp_update
from csp.utils import build_policy
from django.http import HttpResponse
from django.urls import path


def plain(request):
    return HttpResponse("plain")


def with_nonce(request):
    return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')


@csp_update({"img-src": ["https://images.example"]})
def updated(request):
    return HttpResponse("updated")


urlpatterns = [path("plain/", plain), path("nonce/", with_nonce), path("updated/", updated)]
pytestmark = pytest.mark.urls("tests.plumbing.test_middleware")


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_a_plain_response_gets_the_policy_django_csp_builds(client):
    assert client.get("/plain/")["Content-Security-Policy"] == build_policy()


def test_a_response_that_used_a_nonce_names_it_in_its_policy(client):
    response = client.get("/nonce/")

    nonce = response.content.decode().split('"')[1]
    assert f"'nonce-{nonce}'" in directives(response["Content-Security-Policy"])["script-src"]
    assert client.get("/plain/")["Content-Security-Policy"] == build_policy()


def test_a_view_that_changes_the_policy_gets_its_change(client):
    response = client.get("/updated/")

    assert "https://images.example" in directives(response["Content-Security-Policy"])["img-src"]
    assert "https://images.example" not in client.get("/plain/")["Content-Security-Policy"]


def test_a_new_policy_setting_is_used_at_once(client, settings):
    client.get("/plain/")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"]}}

    assert client.get("/plain/")["Content-Security-Policy"] == "default-src 'self'"


def test_excluded_prefixes_get_no_policy(client, settings):
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "EXCLUDE_URL_PREFIXES": ["/plain/"],
    }

    assert not client.get("/plain/").has_header("Content-Security-Policy")
