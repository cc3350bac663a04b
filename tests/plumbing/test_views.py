import pytest

from tests.outages import UNREACHABLE_CACHE


@pytest.mark.django_db
def test_healthz_ok_when_database_and_cache_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.usefixtures("cache_down")
def test_healthz_says_degraded_but_stays_200_without_the_cache(client):
    # Readers are served from the database: the host should stay in rotation.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}


@pytest.mark.django_db
def test_healthz_sees_the_cache_come_back(client, settings):
    real = settings.CACHES
    settings.CACHES = UNREACHABLE_CACHE
    assert client.get("/healthz").json()["cache"] == "unavailable"

    settings.CACHES = real

    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_503_when_database_is_unavailable(client):
    # Without the django_db mark every query raises, as with a database outage.
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}
