"""What every app of the site uses and none of them owns.

HTTP helpers (the client's address, ids in addresses), middleware (request
size, Content-Security-Policy), prepared SQL, JSON logging, the API's
renderer, filters and throttles, the resilient shared store and its
counters, the health check, and the cache for anonymous readers
(`plumbing.pagecache`). Nothing here imports an app: articles and comments
import from here, never the other way round.
"""
