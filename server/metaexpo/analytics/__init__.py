"""Exhibitor reach: live and durable figures of who came to which booth, zone and forum.

Counted from the rooms' arrays about once a second (:mod:`.sampler`, never a
Python loop over visitors), by the rules of :mod:`.definitions`, into minute
figures written in idempotent batches (:mod:`.store`); unique visitors by
key (:mod:`.visitors`), live across nodes through HyperLogLog (:mod:`.uniques`);
business cards only with consent (:mod:`.leads`); exports (:mod:`.export`).
The package never imports the sync engine: the edge hands it a
:class:`~metaexpo.analytics.sampler.RoomView` (docs/analytics.md).
"""
