"""What every node of one expo must agree on about trust: attempt limits, revocations, sanctions.

Two small interfaces, each with an in-process implementation here (one node,
and the tests) and a Redis one in :mod:`metaexpo.bus.redis_trust` (several
nodes), chosen at the edge like the bus (:mod:`metaexpo.bus.node`):

* :class:`~metaexpo.trust.limits.AttemptLimiter`: sliding-window counters
  taken atomically *before* the work they guard (sign-in attempts).
* :class:`~metaexpo.trust.ledger.TrustLedger`: entries with an expiry
  (revoked tokens and accounts, bans, mutes, kicks, slow mode, deleted chat
  lines), readable synchronously from a local mirror, and a callback on every
  node whenever one is written or lifted.
"""
