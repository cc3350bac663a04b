from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The site itself: its settings and URLs, and the demo edition (seed_demo)."""

    name = "newsroom"
    verbose_name = "Newsroom"
