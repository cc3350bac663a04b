import pytest
from django.utils import timezone

from articles import services
from articles.models import Article
from articles.services import ARTICLES, COMMENTS, article_scope
from plumbing.pagecache import versions
from plumbing.pagecache.models import Version
from tests.factories import ArticleFactory, SectionFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

SCOPES = {
    "its page": lambda article: article_scope(article.slug),
    "article lists": lambda article: ARTICLES,
    "comment lists": lambda article: COMMENTS,
}


def seen(article) -> dict[str, str]:
    return {name: versions.read([scope(article)]).key for name, scope in SCOPES.items()}


def test_saving_an_article_moves_everything_that_shows_it():
    article = ArticleFactory()
    before = seen(article)

    article.title = "A better title"
    services.save_article(article)

    after = seen(article)
    assert all(after[name] != before[name] for name in SCOPES)


def test_a_new_slug_moves_the_old_address_too():
    article = ArticleFactory(slug="old-address")
    old = versions.read([article_scope("old-address")]).key

    article.slug = "new-address"
    services.save_article(article)

    assert versions.read([article_scope("old-address")]).key != old
    assert versions.read([article_scope("new-address")]) is not None


def test_tags_are_saved_with_the_article():
    article = ArticleFactory()
    before = seen(article)
    tag = TagFactory()

    services.save_article(article, tags=[tag])

    assert list(article.tags.all()) == [tag]
    assert seen(article)["its page"] != before["its page"]


def test_publishing_and_unpublishing_move_the_lists():
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    before = seen(draft)

    published = services.set_publication(Article.objects.all(), Article.Status.PUBLISHED)

    assert published == [draft]
    assert seen(draft)["article lists"] != before["article lists"]
    assert Article.objects.get().published_at is not None
    before = seen(draft)
    assert services.set_publication(Article.objects.all(), Article.Status.DRAFT) == [draft]
    assert seen(draft)["article lists"] != before["article lists"]


def test_deleting_articles_moves_their_pages_and_the_lists():
    article = ArticleFactory()
    before = seen(article)

    services.delete_articles(Article.objects.filter(pk=article.pk))

    assert not Article.objects.exists()
    assert all(value != before[name] for name, value in seen(article).items())


def test_a_scheduled_article_sets_the_moment_the_site_changes_by_itself():
    moment = timezone.now() + timezone.timedelta(hours=2)

    ArticleFactory(published_at=moment)

    assert Version.objects.get(scope=versions.EPOCH).expires == moment.timestamp()


def test_a_section_or_tag_changed_in_the_admin_moves_every_page(admin_client):
    section = SectionFactory(name="World", slug="world")
    article = ArticleFactory(section=section)
    before = versions.read([article_scope(article.slug)]).key

    admin_client.post(
        f"/admin/articles/section/{section.pk}/change/", {"name": "Planet", "slug": "world"}
    )

    assert versions.read([article_scope(article.slug)]).key != before


@pytest.mark.parametrize(
    ("change", "moves"),
    [
        (lambda author: setattr(author, "first_name", "Renamed") or author.save(), True),
        (lambda author: author.delete(), True),
        (lambda author: author.save(), False),
        (lambda author: setattr(author, "last_login", timezone.now()) or author.save(), False),
    ],
    ids=["renamed", "deleted", "saved unchanged", "logged in"],
)
def test_only_a_byline_readers_see_moves_every_page(change, moves):
    author = UserFactory()
    article = ArticleFactory(author=author, byline="")
    before = versions.read([article_scope(article.slug)]).key

    change(author)

    assert (versions.read([article_scope(article.slug)]).key != before) is moves


def test_a_new_user_or_one_without_articles_moves_nothing():
    article = ArticleFactory()
    before = versions.read([article_scope(article.slug)]).key

    user = UserFactory()
    user.first_name = "Someone else"
    user.save()

    assert versions.read([article_scope(article.slug)]).key == before


def test_saving_a_draft_moves_no_public_list():
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    lists = versions.read([ARTICLES, COMMENTS]).key

    draft.title = "Still a draft"
    services.save_article(draft)
    services.delete_articles(Article.objects.filter(pk=draft.pk))

    assert versions.read([ARTICLES, COMMENTS]).key == lists


def test_renaming_an_author_of_drafts_only_moves_nothing():
    author = UserFactory()
    draft = ArticleFactory(author=author, status=Article.Status.DRAFT, published_at=None)
    page = versions.read([article_scope(draft.slug)]).key

    author.first_name = "Renamed"
    author.save()

    assert versions.read([article_scope(draft.slug)]).key == page
