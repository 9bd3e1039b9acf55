"""Who is asking: passwords, signed tokens, sign-in cookies, CSRF, rate limits, roles.

Nothing here knows about HTTP routes or booths; ``metaexpo.http`` turns these
into FastAPI dependencies, and the sync gateway uses :func:`identify` through
``SyncHub.identify``. See ``docs/accounts.md``.
"""
