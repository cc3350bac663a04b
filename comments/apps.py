from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Comments"

    def ready(self):
        from articles.views import article_page
        from plumbing.logging import hide_after
        from plumbing.pagecache.messages import MESSAGES_COOKIE, messages_need_own
        from plumbing.pagecache.params import FormParams

        from . import cookies  # registers the cookies that make a page personal
        from .discussion import DiscussionQuery
        from .services import recommendation_counts

        # The article page draws the discussion (templatetags/discussion.py), so it
        # varies with the discussion's parameters too.
        article_page.vary_with(FormParams(DiscussionQuery, unshared=DiscussionQuery.UNSHARED))
        article_page.also_depends_on(lambda slug: recommendation_counts(slug))
        # Returning readers get the page everyone gets, unless it shows their own.
        # Saved details are filled into the form as reader values (comments.forms.remembered).
        article_page.share_with(cookies.REMEMBER_COOKIE)
        article_page.share_with(cookies.OWN_COOKIE, cookies.own_replies_matter)
        # The message after a reply is posted, edited or deleted is drawn into the
        # kept page for its reader alone (plumbing.pagecache.messages).
        article_page.share_with(MESSAGES_COOKIE, messages_need_own)
        # Links mailed to one reader carry their proof in the path: logs never do.
        for secret in ("/comments/your-data/", "/comments/confirm/", "/comments/unsubscribe/"):
            hide_after(secret)
