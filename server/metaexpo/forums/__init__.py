"""Forums: the agenda, who may do what in a session, slides, Q&A, hand-raise, the stage, replays.

The forum domain lives here and talks to the rest only through small ports
(:mod:`metaexpo.forums.ports`): a room to deliver messages to and to set
media permissions on, a bus to other nodes, and a recorder for stage audio.
The database is the source of truth of the agenda and of every live change
(it orders changes made on different nodes); the bus spreads them. See
``docs/forums.md`` for staff and ``docs/protocol.md`` (Forums) for the wire.
"""
