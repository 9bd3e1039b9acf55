"""Booths as exhibitors and staff change them: content, revisions, uploads, moderation, going live.

    draft ─submit─► submitted ─approve─► approved ─publish─► live ─(newer live)─► retired
      ▲               │    │
      └───withdraw────┘    └─refuse─► refused

The hall shows each booth's live revision (or the catalog's, revision 0);
see :mod:`metaexpo.booths.states` and ``docs/accounts.md``.
"""
