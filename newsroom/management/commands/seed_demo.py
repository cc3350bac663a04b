"""Load a small demo edition: sections, tags, a handful of articles, a discussion.

Running it again adds only what is missing: no copies, and edits made to the
demo content since are kept. `make run` calls it on every start.
"""

from datetime import UTC, datetime, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction

from articles import services as articles
from articles.models import Article, Section, Tag
from comments import services as comments
from comments.models import Comment, ModerationEvent
from comments.sanitize import render_comment

SECTIONS = {
    "world": ("World", "International news and analysis."),
    "about": ("About us", "How this newsroom works, and how readers take part."),
}

TAGS = {
    "china": "China",
    "russia": "Russia",
    "military-exercises": "Military exercises",
    "reader-guide": "Reader guide",
}

VOSTOK_BODY = """
<p>China will send troops to Russia to take part in Vostok, a large military exercise
led by Moscow, its defence ministry announced on Wednesday.</p>

<p>According to the ministry, China will not be the only foreign participant: forces from
India, Belarus, Mongolia and Tajikistan are also expected, along with several other
countries it did not list.</p>

<h2>A drill announced last month</h2>

<p>Russia had said in July that Vostok, whose name means "East", would run from
30 August to 5 September. Moscow also said at the time that foreign armies would join,
but it did not name them.</p>

<p>Beijing presented its role as routine. The ministry said the decision was taken under
an annual bilateral cooperation agreement with Russia and was unrelated to the present
international or regional situation. In its account, the exercise is meant to deepen
practical cooperation between the armed forces taking part, improve coordination
between them and make them better able to face a range of security threats.</p>

<h2>A closer relationship</h2>

<p>Ties between Beijing and Moscow have tightened under Xi Jinping, whose personal
relationship with Vladimir Putin has grown warmer over the years. The two governments
have called their relationship a partnership without limits.</p>

<ul>
  <li>Last August, more than 10,000 Russian and Chinese soldiers trained together in
  north-central China.</li>
  <li>In October of the same year the two navies exercised in the Sea of Japan, and days
  later their warships patrolled the western Pacific together for the first time.</li>
</ul>

<p>United States officials say that China has so far respected the sanctions that Western
governments imposed on Russia after its invasion of Ukraine on 24 February, and that they
have seen no evidence of Chinese military aid to Russia.</p>
"""

MODERATION_BODY = """
<p>Replies are the best part of many stories, and we want them to stay worth reading.
Here is what happens after you press <em>Post reply</em>.</p>

<h2>What we ask for</h2>
<p>A name, an e-mail address and your comment; a website is optional. Your e-mail address
is never shown to anyone: we use it only to recognise returning readers and, if you ask,
to tell you when someone answers you.</p>

<h2>What happens next</h2>
<ol>
  <li>Your text is cleaned: links and a few kinds of emphasis are kept, everything else is
  shown as plain text.</li>
  <li>A set of automatic checks looks for spam, floods and duplicates.</li>
  <li>First-time commenters wait for a moderator. Once one of your replies has been
  approved, later ones usually appear at once.</li>
</ol>

<p>Every automatic decision is recorded with its reason, so a moderator can always see why
a reply was held, and put it right.</p>
"""

CORRECTIONS_BODY = """
<p>When we get something wrong, we say so. Corrections are added at the end of the
article concerned, with the date and a short description of what changed.</p>
<p>Spotted an error? Reply under the article, or write to the desk that published it.
We read every message, even when we cannot answer each one.</p>
"""

WRAP_UP_BODY = """
<p>Notes for a follow-up once the exercise has ended: which countries took part, how many
troops each sent, and what the defence ministries said afterwards.</p>
"""

ARTICLES = [
    {
        "slug": "china-to-join-russias-vostok-exercise",
        "title": "China to send troops to Russia's Vostok military exercise",
        "summary": (
            "Beijing says its soldiers will join the Russian-led drill alongside forces "
            "from India, Belarus, Mongolia and Tajikistan."
        ),
        "body": VOSTOK_BODY,
        "section": "world",
        "tags": ["china", "russia", "military-exercises"],
        "byline": "World desk",
        "status": Article.Status.PUBLISHED,
        "published_at": datetime(2022, 8, 17, 9, 30, tzinfo=UTC),
    },
    {
        "slug": "how-we-moderate-reader-replies",
        "title": "How we moderate reader replies",
        "summary": "What happens to your comment between the moment you post it and the "
        "moment others can read it.",
        "body": MODERATION_BODY,
        "section": "about",
        "tags": ["reader-guide"],
        "byline": "The editors",
        "status": Article.Status.PUBLISHED,
        "published_at": datetime(2022, 8, 10, 8, 0, tzinfo=UTC),
    },
    {
        "slug": "corrections-policy",
        "title": "Our corrections policy",
        "summary": "How we correct mistakes, and how to tell us about one.",
        "body": CORRECTIONS_BODY,
        "section": "about",
        "tags": ["reader-guide"],
        "byline": "The editors",
        "status": Article.Status.PUBLISHED,
        "published_at": datetime(2022, 8, 1, 8, 0, tzinfo=UTC),
    },
    {
        "slug": "vostok-exercise-wrap-up",
        "title": "Vostok exercise: what the drill showed",
        "summary": "A look back at the Russian-led exercise once it is over.",
        "body": WRAP_UP_BODY,
        "section": "world",
        "tags": ["china", "russia", "military-exercises"],
        "byline": "World desk",
        "status": Article.Status.DRAFT,
        "published_at": None,
    },
]


# (key, reply-to key, name, e-mail, website, text, status, hours after publication)
DEMO_COMMENTS = [
    (
        "india",
        None,
        "Amara Osei",
        "amara@example.org",
        "",
        "Worth noticing that India is on the list. It is not every day that it trains "
        "alongside both Russia and China, given its own border disputes with Beijing.",
        Comment.Status.APPROVED,
        2,
    ),
    (
        "routine",
        "india",
        "Lukas Brandt",
        "lukas@example.net",
        "https://example.net/lukas",
        "India has taken part in earlier Russian drills too, so this may be more routine "
        "than it looks.\n\nThe timing is what makes people read more into it.",
        Comment.Status.APPROVED,
        3,
    ),
    (
        "follow-up",
        "routine",
        "Amara Osei",
        "amara@example.org",
        "",
        "Fair point. A follow-up once the exercise is over, listing who actually sent "
        "troops and how many, would be useful.",
        Comment.Status.APPROVED,
        5,
    ),
    (
        "statements",
        None,
        "Mei Chen",
        "mei@example.com",
        "",
        "The ministry says this has nothing to do with the current situation. "
        "Statements like that tend to get more attention than the drill itself.",
        Comment.Status.APPROVED,
        6,
    ),
    (
        "question",
        None,
        "First-time reader",
        "reader@example.com",
        "",
        "Does anyone know how many soldiers China is sending this time?",
        Comment.Status.PENDING,
        8,
    ),
]


# Readers who recommend a demo reply, by its key.
DEMO_RECOMMENDATIONS = {"statements": 4, "india": 2, "routine": 1}


class Command(BaseCommand):
    help = "Create or refresh the demo sections, tags and articles (safe to run repeatedly)."

    @transaction.atomic
    def handle(self, *args, **options):
        sections, tags, created = {}, {}, []
        for slug, (name, description) in SECTIONS.items():
            sections[slug], new = Section.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description}
            )
            created.append(new)
        for slug, name in TAGS.items():
            tags[slug], new = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
            created.append(new)
        if any(created):
            articles.taxonomy_changed()
        for spec in ARTICLES:
            if Article.objects.filter(slug=spec["slug"]).exists():
                continue
            fields = {k: v for k, v in spec.items() if k not in {"section", "tags"}}
            article = Article(**fields, section=sections[spec["section"]])
            articles.save_article(article, tags=[tags[slug] for slug in spec["tags"]])
            self.stdout.write(f"Created article: {article.title}")
        self.seed_comments(Article.objects.get(slug=ARTICLES[0]["slug"]))
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))

    def seed_comments(self, article):
        """A short threaded discussion, and one reply waiting for a moderator."""
        by_key, added = {}, False
        for key, parent_key, name, email, url, text, status, hours in DEMO_COMMENTS:
            parent = by_key.get(parent_key)
            comment, created = Comment.objects.get_or_create(
                article=article,
                author_email=email,
                body=text,
                defaults={
                    "parent": parent,
                    "depth": Comment.depth_under(parent),
                    "author_name": name,
                    "author_url": url,
                    "body_html": render_comment(text),
                    "status": status,
                    "created_at": article.published_at + timedelta(hours=hours),
                    "moderated_at": (
                        article.published_at + timedelta(hours=hours + 1)
                        if status == Comment.Status.APPROVED
                        else None
                    ),
                    "moderation_reasons": [
                        {
                            "rule": "demo",
                            "verdict": "approve" if status == "approved" else "hold",
                            "detail": "Demo content.",
                        }
                    ],
                },
            )
            if created:
                added = True
                ModerationEvent.objects.create(
                    comment=comment,
                    to_status=status,
                    reasons=comment.moderation_reasons,
                    created_at=comment.created_at,
                )
            by_key[key] = comment
        if added:
            comments.discussion_changed(article)
            if article.accepts_comments():
                for key, readers in DEMO_RECOMMENDATIONS.items():
                    for number in range(readers):
                        comments.recommend(
                            by_key[key].pk,
                            browser=f"demo-reader-{key}-{number}",
                            ip_address=f"192.0.2.{number + 1}",  # documentation addresses
                        )
        self.stdout.write(f"Demo discussion: {len(by_key)} comments.")
