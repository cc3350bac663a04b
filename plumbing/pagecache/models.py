from django.db import models


class Version(models.Model):
    """The current version of one scope of content ("article:<slug>", "comments", ...).

    A write that changes what readers see of a scope gives it a new random
    token in the same transaction; every copy made under the old token is then
    out of reach. `changed` and `expires` are Unix times: the first serves as
    Last-Modified, the second is when the content changes by itself (a
    scheduled article going public), at which the next reader renews the token.
    """

    scope = models.CharField(max_length=255, primary_key=True)
    token = models.BigIntegerField()
    changed = models.FloatField()
    expires = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = "pagecache_version"

    def __str__(self):
        return f"{self.scope} @ {self.token:x}"
