from comments.api.serializers import PUBLIC_COLUMNS
from comments.feeds import FEED_FIELDS
from comments.models import Comment
from comments.threads import DISPLAY_FIELDS


def test_every_public_view_loads_the_same_public_fields_of_a_comment():
    public = set(Comment.PUBLIC_FIELDS)

    assert set(DISPLAY_FIELDS) == public | {"status"}  # the layout's placeholders need it
    moments = {"created_at", "edited_at"}  # made as text
    assert set(PUBLIC_COLUMNS) == public - moments | {"article__slug"}
    assert set(FEED_FIELDS) == public | {"article__slug", "article__title"}
    assert not {"author_email", "ip_address", "user_agent"} & (
        set(DISPLAY_FIELDS) | set(PUBLIC_COLUMNS) | set(FEED_FIELDS)
    )
