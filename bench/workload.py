"""The benchmark's data, generated from a fixed seed.

One published article with 200 approved comments (40% of them replies, at
depths 1 to 3, bodies of 200 to 600 characters of plain text, about 90
distinct authors), and a second one like it that the write test posts to.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.workload

`python -m bench.workload hot` makes `make bench-hot`'s article instead.
"""

import random
from datetime import UTC, datetime, timedelta

SEED = 20220817
ARTICLE = "bench-thread"
WRITES_ARTICLE = "bench-writes"
COMMENTS = 200
REPLY_SHARE = 0.4
AUTHORS = 90

WORDS = [
    "exercise",
    "troops",
    "ministry",
    "cooperation",
    "partnership",
    "statement",
    "drill",
    "navy",
    "patrol",
    "border",
    "defence",
    "analysts",
    "security",
    "region",
    "officials",
    "sanctions",
    "agreement",
    "annual",
    "forces",
    "strategic",
    "practical",
    "friendly",
    "participating",
    "countries",
    "evidence",
    "report",
    "question",
    "answer",
    "timing",
    "context",
    "numbers",
    "history",
    "summit",
    "reader",
    "source",
    "claim",
]


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 14))
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!"])


def body(rng: random.Random) -> str:
    target = rng.randint(200, 600)
    text = ""
    while len(text) < target:
        text += sentence(rng) + (" " if rng.random() > 0.15 else "\n\n")
    return text[:target].rstrip()


def discussion(article, count: int, rng: random.Random, *, start: datetime) -> list:
    """`count` approved comments under `article`: exactly 40% replies (at depths 1
    to 3, the first few comments start threads), every one of the AUTHORS at
    least once, then at random; one every 7 minutes from `start`."""
    from comments.models import Comment
    from comments.sanitize import render_comment

    authors = [(f"Reader {n}", f"reader{n}@example.org") for n in range(AUTHORS)]
    replies = set(rng.sample(range(5, count), round(count * REPLY_SHARE)))
    made: list[Comment] = []
    for n in range(count):
        moment = start + timedelta(minutes=7 * n)
        parent = None
        if n in replies:
            parent = rng.choice([c for c in made[-500:] if c.depth < 3])
        name, email = authors[n] if n < AUTHORS else rng.choice(authors)
        text = body(rng)
        made.append(
            Comment.objects.create(
                article=article,
                parent=parent,
                depth=Comment.depth_under(parent),
                author_name=name,
                author_email=email,
                body=text,
                body_html=render_comment(text),
                status=Comment.Status.APPROVED,
                created_at=moment,
                moderated_at=moment,
                ip_address=f"198.51.100.{n % 250}",
            )
        )
    return made


def published_article(slug: str, title: str, summary: str, body: str, published: datetime):
    """A published article in World, saved through the service as the admin saves
    articles: readers' copies know of it."""
    from articles.models import Article, Section
    from articles.services import save_article

    section, _ = Section.objects.get_or_create(slug="world", defaults={"name": "World"})
    article = Article(
        slug=slug,
        title=title,
        summary=summary,
        body=body,
        section=section,
        status=Article.Status.PUBLISHED,
        published_at=published,
    )
    save_article(article)
    return article


def build() -> None:
    import django

    django.setup()
    from articles.models import Article
    from comments.services import discussion_changed

    rng = random.Random(SEED)
    published = datetime(2022, 8, 17, 9, 30, tzinfo=UTC)
    if Article.objects.filter(slug=ARTICLE).exists():
        return
    article = published_article(
        ARTICLE,
        "A thread of two hundred replies",
        "The benchmark's article.",
        "<p>" + " ".join(sentence(rng) for _ in range(30)) + "</p>",
        published,
    )
    writes = published_article(
        WRITES_ARTICLE, "Where the write test posts", "", "<p>Write target.</p>", published
    )
    discussion(article, COMMENTS, rng, start=published)
    # The write test posts onto a discussion as long as the one it reads.
    discussion(writes, COMMENTS, rng, start=published)
    discussion_changed(article, writes)


HOT_ARTICLE = "bench-hot-article"
HOT_COMMENTS = 2_000


def build_hot() -> None:
    """`make bench-hot`'s article: 2,000 approved comments in threads, the last
    of them an hour old, beside the demo edition's front page."""
    import django

    django.setup()
    from django.utils import timezone

    from comments.services import discussion_changed

    rng = random.Random(SEED)
    start = timezone.now() - timedelta(minutes=7 * HOT_COMMENTS + 60)
    article = published_article(
        HOT_ARTICLE,
        "The article everyone is reading",
        "Two thousand replies and counting.",
        "<p>" + " ".join(sentence(rng) for _ in range(40)) + "</p>",
        start - timedelta(hours=1),
    )
    discussion(article, HOT_COMMENTS, rng, start=start)
    discussion_changed(article)


if __name__ == "__main__":
    import sys

    build_hot() if sys.argv[1:] == ["hot"] else build()
