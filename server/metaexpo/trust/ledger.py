"""The trust ledger: revocations and sanctions with an expiry, the same on every node.

An entry says something about a key until a time: this token id is signed
out, this account's tokens issued before T are void, this visitor is banned
or muted or was just kicked, this hall is in slow mode, this chat line was
deleted. Reads are synchronous, from a local mirror (a WebSocket join checks
several keys without waiting on anything); writes go to every node, and on
every node (this one included) each listener is told of every entry written
or lifted, so open sessions can be closed where they are. Entries expire by
themselves at ``until``.

:class:`LocalTrustLedger` is the ledger of one process; the Redis ledger of
several nodes is :class:`metaexpo.bus.redis_trust.RedisTrustLedger`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Protocol, get_args

log = logging.getLogger(__name__)

EntryKind = Literal["token", "session", "account", "ban", "mute", "kick", "slow", "deleted"]
ENTRY_KINDS: tuple[EntryKind, ...] = get_args(EntryKind)
#: Longest key or reason kept (they come from tokens, names and staff's words).
MAX_KEY_CHARS = 200
MAX_REASON_CHARS = 300

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class TrustEntry:
    """One fact about ``key`` of ``kind``, true until ``until`` (unix seconds).

    ========  =====================  ==========================================
    kind      key                    means
    ========  =====================  ==========================================
    token     a token's id           this one token is signed out
    session   a portal session id    tokens issued for that sign-in are void
    account   an account's id        its tokens issued before ``data.before``
                                     are void (password changed, disabled)
    ban       a token's subject      refused in the hall (and the API)
    mute      subject or wire key    may not chat or speak
    kick      subject or wire key    was removed; may come back after ``until``
    slow      a room id              one chat line per ``data.seconds``
    deleted   a chat line id         removed from every client (``data.room``)
    ========  =====================  ==========================================

    A *wire key* (``wire:<room>:<avatar id>``) names a visitor who carries no
    token; the node that holds that avatar acts on it.
    """

    kind: EntryKind
    key: str
    until: float
    reason: str = ""
    #: Who wrote it (how the audit log names them), for the notice a visitor sees.
    by: str = ""
    data: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    def live(self, now: float) -> bool:
        """Whether the entry still holds at ``now``."""
        return self.until > now

    def to_json(self) -> dict[str, Any]:
        """The entry as JSON-able data (what crosses the network)."""
        return {
            "kind": self.kind,
            "key": self.key,
            "until": self.until,
            "reason": self.reason,
            "by": self.by,
            "data": dict(self.data),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TrustEntry:
        """Parse :meth:`to_json`'s output; :class:`ValueError` for anything else."""
        try:
            kind = data["kind"]
            if kind not in ENTRY_KINDS:
                raise ValueError(f"unknown entry kind {kind!r}")
            extra = data.get("data") or {}
            if not isinstance(extra, dict):
                raise ValueError("entry data must be an object")
            return cls(
                kind=kind,
                key=str(data["key"])[:MAX_KEY_CHARS],
                until=float(data["until"]),
                reason=str(data.get("reason", ""))[:MAX_REASON_CHARS],
                by=str(data.get("by", ""))[:MAX_REASON_CHARS],
                data=MappingProxyType(dict(extra)),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a trust entry: {exc}") from None


def wire_key(room_id: str, wire: int) -> str:
    """The key of a visitor known only by room and avatar id (no token)."""
    return f"wire:{room_id}:{wire}"


#: Called on the event loop for every entry written (``lifted`` False) or lifted (True).
Listener = Callable[[TrustEntry, bool], None]


class TrustLedger(Protocol):
    """Entries every node sees: synchronous reads, writes that reach every node."""

    def get(self, kind: EntryKind, key: str) -> TrustEntry | None:
        """The live entry of ``kind`` for ``key``, if any (from this node's mirror)."""

    def entries(self, kind: EntryKind) -> list[TrustEntry]:
        """Every live entry of ``kind``."""

    async def put(self, entry: TrustEntry) -> None:
        """Write ``entry`` (replacing one of the same kind and key) and tell every node.

        This node's mirror and listeners have it before this returns; raises
        :class:`~metaexpo.errors.Busy` if other nodes could not be told.
        """

    async def lift(self, kind: EntryKind, key: str) -> None:
        """Remove an entry before its time, on every node."""

    def listen(self, listener: Listener) -> None:
        """Call ``listener`` for every entry written or lifted from now on, on any node."""


class Mirror:
    """The entries this node knows, and its listeners: the part every ledger shares."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._entries: dict[tuple[str, str], TrustEntry] = {}
        self._listeners: list[Listener] = []

    def get(self, kind: EntryKind, key: str) -> TrustEntry | None:
        """See :meth:`TrustLedger.get`."""
        entry = self._entries.get((kind, key))
        if entry is None:
            return None
        if not entry.live(self.clock()):
            self._entries.pop((kind, key), None)
            return None
        return entry

    def entries(self, kind: EntryKind) -> list[TrustEntry]:
        """See :meth:`TrustLedger.entries`."""
        now = self.clock()
        return [e for (k, _), e in list(self._entries.items()) if k == kind and e.live(now)]

    def listen(self, listener: Listener) -> None:
        """See :meth:`TrustLedger.listen`."""
        self._listeners.append(listener)

    def apply(self, entry: TrustEntry) -> None:
        """Hold ``entry`` and tell the listeners (an already expired one is ignored)."""
        if not entry.live(self.clock()):
            return
        self._entries[(entry.kind, entry.key)] = entry
        self._tell(entry, lifted=False)

    def remove(self, kind: EntryKind, key: str) -> None:
        """Forget an entry and tell the listeners (if it was held)."""
        entry = self._entries.pop((kind, key), None)
        if entry is not None:
            self._tell(entry, lifted=True)

    def replace_all(self, entries: Iterable[TrustEntry]) -> None:
        """Take a full picture (after a reconnect): tell listeners what is new or gone."""
        now = self.clock()
        fresh = {(e.kind, e.key): e for e in entries if e.live(now)}
        for ident, old in list(self._entries.items()):
            if ident not in fresh:
                del self._entries[ident]
                if old.live(now):
                    self._tell(old, lifted=True)
        for ident, entry in fresh.items():
            if self._entries.get(ident) != entry:
                self._entries[ident] = entry
                self._tell(entry, lifted=False)

    def purge(self) -> None:
        """Drop expired entries (memory; reads ignore them anyway)."""
        now = self.clock()
        for ident in [i for i, e in self._entries.items() if not e.live(now)]:
            del self._entries[ident]

    def _tell(self, entry: TrustEntry, *, lifted: bool) -> None:
        for listener in self._listeners:
            try:
                listener(entry, lifted)
            except Exception:
                log.exception("a trust ledger listener failed on %s %s", entry.kind, entry.key)


class LocalTrustLedger(Mirror):
    """:class:`TrustLedger` of one process: the mirror is the whole truth."""

    async def put(self, entry: TrustEntry) -> None:
        """See :meth:`TrustLedger.put`."""
        self.apply(entry)

    async def lift(self, kind: EntryKind, key: str) -> None:
        """See :meth:`TrustLedger.lift`."""
        self.remove(kind, key)


def token_refusal(
    ledger: TrustLedger,
    *,
    subject: str,
    token_id: str = "",
    issued: float = 0.0,
    session_id: str = "",
) -> TrustEntry | None:
    """Why a token for ``subject`` is no longer accepted, or None if it still is.

    Checked by the HTTP API and by every WebSocket join, on every node.
    """
    if token_id and (entry := ledger.get("token", token_id)) is not None:
        return entry
    if session_id and (entry := ledger.get("session", session_id)) is not None:
        return entry
    if (entry := ledger.get("ban", subject)) is not None:
        return entry
    entry = ledger.get("account", subject)
    if entry is not None and issued < float(entry.data.get("before", 0.0)):
        return entry
    return None
