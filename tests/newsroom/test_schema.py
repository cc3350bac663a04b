import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.comments.api.test_views import PUBLIC_FIELDS
from tests.factories import ArticleFactory, CommentFactory

EXPECTED_OPERATIONS = {
    ("/api/v1/articles/", "get"),
    ("/api/v1/articles/{slug}/", "get"),
    ("/api/v1/articles/{slug}/comments/", "get"),
    ("/api/v1/articles/{slug}/comments/", "post"),
    ("/api/v1/articles/{slug}/comments/preview/", "post"),
    ("/api/v1/comments/", "get"),
    ("/api/v1/comments/{id}/", "get"),
    ("/api/v1/comments/{id}/", "patch"),
    ("/api/v1/comments/{id}/", "delete"),
    ("/api/v1/comments/{id}/report/", "post"),
    ("/api/v1/comments/{id}/recommendation/", "post"),
    ("/api/v1/comments/{id}/recommendation/", "delete"),
    ("/api/v1/moderation/comments/reported/", "get"),
    ("/api/v1/moderation/comments/{id}/dismiss-reports/", "post"),
    ("/api/v1/moderation/comments/{id}/pick/", "post"),
    ("/api/v1/moderation/comments/{id}/unpick/", "post"),
    ("/api/v1/moderation/comments/", "get"),
    *(
        (f"/api/v1/moderation/comments/{{id}}/{action}/", "post")
        for action in ("approve", "spam", "remove", "restore")
    ),
    *(
        (f"/api/v1/moderation/comments/{{id}}/edits/{{edit}}/{decision}/", "post")
        for decision in ("approve", "decline")
    ),
}


@pytest.fixture
def spec(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_3(spec):
    validate(spec)

    assert spec["openapi"].startswith("3.")


def test_schema_lists_every_endpoint(spec):
    operations = {(path, method) for path, item in spec["paths"].items() for method in item}

    assert operations == EXPECTED_OPERATIONS


def test_schema_documents_request_and_error_shapes(spec):
    post = spec["paths"]["/api/v1/articles/{slug}/comments/"]["post"]

    assert set(post["responses"]) == {"201", "400", "403", "404", "415", "429"}
    request = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    fields = spec["components"]["schemas"][request.rsplit("/", 1)[1]]
    assert set(fields["required"]) == {"name", "email", "body"}
    comment = spec["components"]["schemas"]["Comment"]
    assert set(comment["properties"]) == PUBLIC_FIELDS


def test_swagger_ui_is_served_from_our_own_static_files(client):
    page = client.get("/api/docs/")
    script = client.get("/api/docs/", {"script": ""})

    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle" in html
    assert "cdn" not in html.lower()
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_public_api_never_fails_and_matches_its_schema(live_server, settings):
    """Schemathesis sends generated requests, valid and invalid, to every public
    operation of a live server: no answer may be a server error, and every answer
    must match the schema."""
    # Generous limits, so answers come from the code under test, not the throttles.
    settings.NEWSROOM_API_READ_RATE = None
    settings.COMMENTS_API_POST_RATE = None
    settings.COMMENTS_API_BURST_RATE = None
    settings.COMMENTS_FLOOD_LIMIT = 10_000
    article = ArticleFactory(slug="china-to-join-russias-vostok-exercise")
    root = CommentFactory(article=article)
    CommentFactory(parent=root)
    CommentFactory(article=article, status="pending")
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    operations = [
        result.ok()
        for result in schema.exclude(path_regex="^/api/v1/moderation/").get_all_operations()
    ]
    real_values = {"slug": article.slug, "id": root.pk}
    exercised = set()

    for operation, mode in itertools.product(operations, GenerationMode):
        try:
            exercise(operation, mode, real_values, exercised)
        except Unsatisfiable:
            # Nothing in this operation's inputs can be made invalid (no body, no
            # constrained parameter); the positive run covers it.
            assert mode is GenerationMode.NEGATIVE

    tried = {(path, method) for path, method, _ in exercised}
    assert tried == {op for op in EXPECTED_OPERATIONS if "moderation" not in op[0]}
    # Not only errors: the generated requests also reached real content.
    assert {status for *_, status in exercised} >= {200, 201, 400, 404}


def exercise(operation, mode, real_values, exercised):
    """Send generated requests to one operation, checking each answer."""

    @hypothesis_settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    @given(case=operation.as_strategy(mode), real=st.booleans())
    def check(case, real):
        if real:
            # Half the cases address real content rather than random slugs and ids.
            case.path_parameters = {
                name: real_values.get(name, value)
                for name, value in (case.path_parameters or {}).items()
            }
        response = case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
        exercised.add((operation.path, operation.method.lower(), response.status_code))

    check()
