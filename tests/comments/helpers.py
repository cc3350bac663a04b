"""Posting the reply form the way a browser does."""

import time

from django.core import signing

from comments.cookies import OWN_COOKIE, OWN_SALT
from comments.forms import sign_form_timestamp


def form_data(article, **overrides):
    """What a browser sends after a reader spent a minute on the form."""
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "url": "",
        "body": "A considered reply.",
        "parent": "",
        "timestamp": sign_form_timestamp(article.pk, time.time() - 60),
        "homepage": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def post_url(article):
    return f"{article.get_absolute_url()}comments/"


def sent_from(client, *comments):
    """`client` as the browser that sent `comments`: it carries their signed cookie."""
    value = ",".join(str(comment.pk) for comment in comments)
    client.cookies[OWN_COOKIE] = signing.get_cookie_signer(salt=OWN_COOKIE + OWN_SALT).sign(value)
    return client
