"""The API answers JSON to any client that accepts it, and refuses what it cannot give."""

import pytest

from tests.factories import ArticleFactory


@pytest.fixture
def address(db):
    return f"/api/v1/articles/{ArticleFactory().slug}/comments/"


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", " application/json "])
def test_a_client_that_accepts_json_gets_json(client, address, accept):
    headers = {"HTTP_ACCEPT": accept} if accept is not None else {}

    response = client.get(address, **headers)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "accept", ["application/json; q=0.5, text/html", "application/json;indent=4", "text/*, */*"]
)
def test_other_accept_headers_are_negotiated_as_drf_does(client, address, accept):
    response = client.get(address, HTTP_ACCEPT=accept)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_a_client_that_accepts_only_html_is_told_406(client, address):
    response = client.get(address, HTTP_ACCEPT="text/html")

    assert response.status_code == 406
