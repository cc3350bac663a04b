"""Benchmark settings: production settings, plus what a load test needs.

- the "limit" view (bench/urls.py), which answers precomputed bytes through
  the same middleware as every other page: the framework's ceiling here;
- throttles and the flood rule lifted, so the load generator is not refused;
  the limits on recommendations are kept so high that they never refuse, but
  still count (one client sends them all).
"""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

NEWSROOM_API_READ_RATE = None
NEWSROOM_PAGE_READ_RATE = None
COMMENTS_API_POST_RATE = None
COMMENTS_API_BURST_RATE = None
COMMENTS_FLOOD_LIMIT = 10**9
COMMENTS_RECOMMEND_RATE = "1000000000/hour"
COMMENTS_RECOMMENDATIONS_PER_ADDRESS = 10**9
