from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from articles import services as article_services
from articles.models import Article, Section, Tag
from comments import services as comment_services
from comments.models import BlockedTerm, Comment
from comments.sanitize import render_comment

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = "Pat"
    last_name = factory.Sequence(lambda n: f"Writer{n}")
    password = factory.django.Password(PASSWORD)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.LazyAttribute(lambda section: slugify(section.name))


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Tag {n}")
    slug = factory.LazyAttribute(lambda tag: slugify(tag.name))


class ArticleFactory(factory.django.DjangoModelFactory):
    """A public article, published an hour ago, unless told otherwise.

    Saved through articles.services, as the admin saves it, so readers'
    cached pages know of it at once.
    """

    class Meta:
        model = Article
        skip_postgeneration_save = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        article = model_class(*args, **kwargs)
        article_services.save_article(article)
        return article

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.LazyAttribute(lambda article: slugify(article.title))
    summary = "A short summary for teasers and search engines."
    body = "<p>First paragraph.</p><p>Second paragraph.</p>"
    byline = "Staff reporter"
    section = factory.SubFactory(SectionFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            article_services.save_article(self, tags=extracted)


class CommentFactory(factory.django.DjangoModelFactory):
    """An approved comment by a distinct reader, unless told otherwise.

    A comment that readers see moves its discussion's version, as every
    approval through comments.services does.
    """

    class Meta:
        model = Comment

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        comment = super()._create(model_class, *args, **kwargs)
        if comment.status == Comment.Status.APPROVED:
            comment_services.discussion_changed(comment.article)
        return comment

    article = factory.LazyAttribute(
        lambda comment: comment.parent.article if comment.parent else ArticleFactory()
    )
    parent = None
    depth = factory.LazyAttribute(lambda comment: Comment.depth_under(comment.parent))
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.Sequence(lambda n: f"reader{n}@example.com")
    body = factory.Sequence(lambda n: f"Comment number {n}, with a thought of its own.")
    body_html = factory.LazyAttribute(lambda comment: render_comment(comment.body))
    status = Comment.Status.APPROVED
    created_at = factory.LazyFunction(timezone.now)
    moderated_at = factory.LazyAttribute(
        lambda comment: None if comment.status == Comment.Status.PENDING else comment.created_at
    )
    ip_address = "198.51.100.7"
    user_agent = "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"


class BlockedTermFactory(factory.django.DjangoModelFactory):
    """A blocked term, saved as the admin saves one (every process sees it at once)."""

    class Meta:
        model = BlockedTerm

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        term = super()._create(model_class, *args, **kwargs)
        comment_services.blocklist_changed()
        return term

    kind = BlockedTerm.Kind.WORD
    value = "casino"
    action = BlockedTerm.Action.HOLD


def yesterday():
    return timezone.now() - timedelta(days=1)


def tomorrow():
    return timezone.now() + timedelta(days=1)
