import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture(autouse=True)
def _relaxed_post_throttles(settings):
    # Throttling has its own tests; elsewhere a test may post more than once a second.
    settings.COMMENTS_API_BURST_RATE = "1000/second"
    settings.COMMENTS_API_POST_RATE = "1000/minute"


@pytest.fixture
def moderator(db):
    user = UserFactory(username="mod", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def moderator_api(moderator):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=moderator).key}")
    return client
