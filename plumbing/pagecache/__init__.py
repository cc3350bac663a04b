"""The cache for anonymous readers: one recipe that pages and API views opt into.

The rules, all enforced here and nowhere else:

- A view declares what its answer depends on and nothing more:
  `Shared(depends_on=lambda slug: [f"article:{slug}"], params=...)`. The
  scopes it names have versions in the database (versions.py); the services
  that change what readers see call `versions.bump(scope)` in the same
  transaction. An answer is named by the canonical site, the versions, the
  path and the canonical query, so a copy can never be stale: after a write,
  the next read from any process asks for a name nothing is stored under.
- Only what names a bounded set of answers is stored (params.py): known
  page numbers and sizes. Unknown parameters change nothing; moments,
  cursors and free filters get an answer of their own that is not kept;
  out-of-range pages are the view's 404, never stored. Answers made for
  another host name or port than NEWSROOM_SITE_URL are not kept either.
- A request with credentials or a personal cookie (personal.py: registered
  by the code that sets it) gets its own answer, marked private. A view may
  share a personal cookie (`Shared.share_with(cookie, needs_own)`): its
  reader gets the kept copy unless `needs_own` finds, among the marks the
  page noted when the copy was made (`personal.shows`), something of theirs.
  Where there is no copy yet, their request makes it, drawn as for everyone.
  What such a reader sees otherwise in a shared page is either a reader
  value (filled in for every reader: a token, saved details) or a part
  drawn for them alone (`personal.ReaderEdit`: their own reply, their
  messages), which leaves the copy untouched for everyone else; an answer
  so drawn is private.
- A scope written many times a second may be declared `Lagging(scope, seconds)`:
  its answers may be that many seconds late, and are remade at most once per
  slice of that length however fast it changes (versions.py).
- Every shared answer carries an ETag and Last-Modified from the versions; a
  matching ETag gets a 304. Public validators change only when a scope the
  answer shows changes, and scopes change only with what the public sees.
- Copies live in this process (the most recent ones) and in the shared store
  (plumbing.store); if the store is down, answers are made from the database.
  Content that must not linger even out of reach (personal data erased) goes
  with `copies.forget_everything()`: a new epoch, and every copy deleted.
"""
