"""The way in: sign-in, invites and password changes limited *before* any hashing, hashed in the
password pool, and sign-outs and revocations written to the trust ledger every node reads.

Sign-in limits (docs/security.md, "Sign-in"), all sliding windows of
``window_s``, taken atomically for every key at once before the password
is looked at, and given back when the password was right:

* per client address (the real one: ``X-Forwarded-For`` counts only from
  a trusted proxy): ``per_address`` failures;
* per account *from one address*: ``per_account`` failures, so a guesser
  locks only themself out, never the account's owner elsewhere;
* per account from everywhere without a device token: ``per_account_total``
  failures (a botnet spread over many addresses); past it, only browsers
  that signed in to that account before (they hold its *device token*, an
  HttpOnly cookie) may still try, each with its own ``per_account`` limit.

So an attacker hammering a staff account cannot lock staff out: staff sign
in from another address, or from their usual browser anywhere.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from dataclasses import dataclass

from metaexpo.auth.accounts import Accounts, normal_login, session_id
from metaexpo.auth.hashing import PasswordPool
from metaexpo.auth.invites import Invites
from metaexpo.errors import NotFound, NotSignedIn, TooMany
from metaexpo.roles import Principal, Via
from metaexpo.tokens import IssuedToken, TokenSigner
from metaexpo.trust.ledger import TrustEntry, TrustLedger
from metaexpo.trust.limits import Attempt, AttemptLimiter, LimitRule, Refusal


@dataclass(frozen=True, slots=True)
class SignInLimits:
    """How many failed attempts each key may have within ``window_s`` (from the settings)."""

    per_address: int
    per_account: int
    per_account_total: int
    window_s: float
    device_ttl_s: float
    token_ttl_s: float


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A successful sign-in: who, and the device token the browser keeps for this account."""

    principal: Principal
    device: IssuedToken


def address_key(address: str) -> str:
    """The unit one client is counted in: its IPv4 address, or its IPv6 /64."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


_MESSAGES = {
    "addr": "too many failed sign-ins from your network; wait {wait} seconds and try again",
    "acct": "too many failed sign-ins for this account; wait {wait} seconds and try again",
    "total": (
        "this account has had too many failed sign-ins from elsewhere; sign in from a browser "
        "that has signed in to it before, or wait {wait} seconds"
    ),
    "device": "too many failed sign-ins from this browser; wait {wait} seconds and try again",
    "invite": "too many failed attempts; wait {wait} seconds",
}


class AccountGate:
    """Everything that checks a password or revokes credentials, for the HTTP layer."""

    def __init__(
        self,
        accounts: Accounts,
        invites: Invites,
        signer: TokenSigner,
        limiter: AttemptLimiter,
        pool: PasswordPool,
        ledger: TrustLedger,
        limits: SignInLimits,
    ) -> None:
        self.accounts = accounts
        self.invites = invites
        self.signer = signer
        self.limiter = limiter
        self.pool = pool
        self.ledger = ledger
        self.limits = limits

    # --- limits --------------------------------------------------------------------------------

    def sign_in_rules(self, login: str, address: str, device: str | None) -> list[LimitRule]:
        """The keys one sign-in attempt counts against (see the module docstring)."""
        lim = self.limits
        claims = self.signer.check(device) if device else None
        if claims is not None and claims.kind == "device" and claims.subject == login:
            return [LimitRule(f"device:{claims.token_id}", lim.per_account, lim.window_s)]
        addr = address_key(address)
        return [
            LimitRule(f"addr:{addr}", lim.per_address, lim.window_s),
            LimitRule(f"acct:{login}|{addr}", lim.per_account, lim.window_s),
            LimitRule(f"total:{login}", lim.per_account_total, lim.window_s),
        ]

    async def _take(self, rules: list[LimitRule]) -> Attempt:
        taken = await self.limiter.take(rules)
        if isinstance(taken, Refusal):
            kind = taken.rule.key.split(":", 1)[0]
            message = _MESSAGES.get(kind, _MESSAGES["addr"]).format(wait=taken.wait_s)
            raise TooMany(message, retry_after=taken.wait_s)
        return taken

    # --- the password paths --------------------------------------------------------------------

    async def sign_in(
        self, login: str, password: str, address: str, via: Via, device: str | None = None
    ) -> SignedIn:
        """Check ``password`` for ``login``; :class:`TooMany` (limits, or the pool is full),
        :class:`NotSignedIn` (wrong name or password: the attempt stays counted)."""
        login = normal_login(login)
        attempt = await self._take(self.sign_in_rules(login, address, device))
        try:
            principal = await self.pool.run(self.accounts.sign_in, login, password, address, via)
        except NotSignedIn:
            raise
        except BaseException:
            await self.limiter.give_back(attempt)  # not a guess: busy, or our fault
            raise
        await self.limiter.give_back(attempt)  # a right password is not a failure
        issued = self.signer.issue("device", login, principal.role, self.limits.device_ttl_s)
        return SignedIn(principal, issued)

    async def accept_invite(self, secret: str, password: str, address: str) -> Principal:
        """Create the invited account (the password is hashed in the pool); a wrong link
        counts against the address, like a wrong password."""
        lim = self.limits
        rules = [LimitRule(f"invite:{address_key(address)}", lim.per_address, lim.window_s)]
        attempt = await self._take(rules)
        try:
            principal = await self.pool.run(self.invites.accept, secret, password, address)
        except NotFound:
            raise
        except BaseException:
            await self.limiter.give_back(attempt)
            raise
        await self.limiter.give_back(attempt)
        return principal

    async def change_password(self, principal: Principal, old: str, new: str) -> None:
        """Change one's own password; every token issued before stops working on every node."""
        await self.pool.run(self.accounts.change_password, principal, old, new)
        await self.revoke_account(principal.user_id, principal.describe(), "password changed")

    # --- revocation ----------------------------------------------------------------------------

    async def sign_out_token(self, token: str) -> None:
        """Void one bearer token on every node (API sign-out)."""
        claims = self.signer.check(token)
        if claims is None or not claims.token_id:
            return
        await self.ledger.put(
            TrustEntry("token", claims.token_id, float(claims.expires), "signed out")
        )

    async def sign_out_session(self, principal: Principal, secret: str) -> None:
        """End a portal session and void the hall tokens issued for it, on every node."""
        await asyncio.to_thread(self.accounts.close_session, secret)
        sid = session_id(principal)
        if sid:
            until = time.time() + self.limits.token_ttl_s
            await self.ledger.put(TrustEntry("session", sid, until, "signed out"))

    async def revoke_account(self, user_id: str, by: str, reason: str) -> None:
        """Every token of the account issued until now is void, on every node; its open hall
        connections are closed (by the listeners of the ledger)."""
        now = time.time()
        await self.ledger.put(
            TrustEntry(
                "account",
                user_id,
                now + self.limits.token_ttl_s,
                reason,
                by,
                {"before": now},
            )
        )
