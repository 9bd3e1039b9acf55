"""The one settings object of the server: every tunable, with embedded defaults.

Values come from, in order of precedence: command-line flags (``metaexpo serve
--tick-hz 30``), environment variables (``METAEXPO_TICK_HZ=30``), then the
defaults below, which run the whole expo on one machine with SQLite in the
data folder, the in-process bus and the built-in content.
"""

from __future__ import annotations

import os
import socket
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Most fan-out phases (per-phase columns in the room state are sized for this).
MAX_FANOUT_PHASES = 4
#: The repository root when running from a checkout (scenes/, web/, avatars/, assets/ live there).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Run the expo server: HTTP, the sync WebSocket, scenes and metrics on one port."""

    model_config = SettingsConfigDict(
        env_prefix="METAEXPO_", extra="ignore", validate_default=True, frozen=True
    )

    # --- where it listens and what it serves -----------------------------------------------
    host: str = Field("127.0.0.1", description="Address to listen on (0.0.0.0 for the LAN).")
    port: int = Field(8000, ge=0, le=65535, description="TCP port for HTTP and WebSocket.")
    data_dir: Path = Field(
        Path("data"), description="Folder for the database, built scenes and uploads."
    )
    scenes_dir: Path = Field(PROJECT_ROOT / "scenes", description="The expo catalog (YAML).")
    avatars_dir: Path = Field(PROJECT_ROOT / "avatars", description="Avatar models + manifest.")
    web_dir: Path = Field(
        PROJECT_ROOT / "web",
        description="The browser client; also holds the Khronos glTF-Validator that every "
        "uploaded model must pass (tools/validate-gltf.mjs, node_modules).",
    )
    assets_dir: Path = Field(
        PROJECT_ROOT / "assets", description="Built-in static assets (icons, font notices)."
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    sync_transport: Literal["picows", "asgi"] = Field(
        "picows",
        description="WebSocket stack of /ws: picows (measured fastest, docs/perf.md) or "
        "the FastAPI/uvicorn route (kept for comparison).",
    )
    certfile: Path | None = Field(
        None, description="TLS certificate (PEM) to serve HTTPS and wss:// (needs --keyfile)."
    )
    keyfile: Path | None = Field(None, description="Private key (PEM) of --certfile.")
    self_signed: bool = Field(
        False,
        description="Serve HTTPS with a self-signed certificate kept in the data folder "
        "(for demos and WebXR on a LAN headset; browsers ask to accept it once).",
    )

    public_url: str | None = Field(
        None,
        description="The expo's address as visitors reach it (https://expo.example.org), for "
        "absolute links such as invites. Default: the address the request arrived at (this "
        "server's own socket, never the Host header); set it behind a reverse proxy.",
    )

    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Extra page origins (https://expo.example.org) allowed to open /ws; the "
        "expo's own origin and loopback pages always are.",
    )

    # --- several nodes, one hall -------------------------------------------------------------
    redis_url: str | None = Field(
        None,
        description="Redis URL (redis://host:6379/0): nodes sharing it serve one hall together. "
        "Without it the in-process bus is used and this node is alone.",
    )
    node_id: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        description="This node's name on the bus (default: host-pid).",
    )
    node_slots: int = Field(
        4096, description="Avatar ids per node (a power of two; 65,536 / this = most nodes)."
    )
    workers: int = Field(
        1, ge=1, le=64, description="Node processes on this host sharing the port (needs Redis)."
    )
    bus_flush_hz: float = Field(
        200.0,
        gt=0.0,
        le=1000.0,
        description="How often local poses are published to other nodes between ticks.",
    )

    # --- the tick and interest management ---------------------------------------------------
    tick_hz: float = Field(
        20.0, gt=0.0, le=120.0, description="Pose frames per second each client receives."
    )
    fanout_phases: int = Field(
        2,
        ge=1,
        le=MAX_FANOUT_PHASES,
        description="Ticks per frame period; each tick serves 1/phases of the cells, so a "
        "tick's fan-out (and the latency it adds) shrinks (docs/perf.md).",
    )
    cell_size: float = Field(16.0, gt=0.5, description="Interest grid cell size in metres.")
    interest_radius: float = Field(
        32.0, gt=0.0, description="Avatars within this distance of a cell can be visible (m)."
    )
    visible_cap: int = Field(
        64, ge=1, le=1024, description="Most avatars sent at full rate to one cell."
    )
    keyframe_interval_s: float = Field(
        2.0, gt=0.0, description="Seconds between full keyframes of a cell's visible set."
    )
    crowd_interval_s: float = Field(
        1.0, gt=0.0, description="Seconds between crowd-layer frames (position only)."
    )
    crowd_max_points: int = Field(
        2048, ge=0, le=65535, description="Most crowd points in one crowd frame (decimated)."
    )

    # --- validation, limits and abuse -------------------------------------------------------
    max_speed: float = Field(12.0, gt=0.0, description="Fastest allowed walk in m/s.")
    speed_slack: float = Field(0.75, ge=0.0, description="Extra metres allowed per pose.")
    pose_rate_limit: float = Field(
        75.0, gt=0.0, description="Most pose frames per second from one client."
    )
    invalid_frame_limit: int = Field(
        50, ge=1, description="Invalid frames/messages within 10 s before the client is closed."
    )
    max_message_bytes: int = Field(
        8192, ge=128, description="Largest WebSocket message accepted (bytes)."
    )
    chat_max_chars: int = Field(500, ge=1, description="Longest chat message.")
    chat_burst: int = Field(5, ge=1, description="Chat messages allowed in a burst.")
    chat_per_minute: float = Field(20.0, gt=0.0, description="Sustained chat rate per client.")
    teleport_min_interval_s: float = Field(0.5, ge=0.0, description="Gap between teleports.")
    name_max_chars: int = Field(32, ge=1, le=64, description="Longest display name.")

    # --- media: stage audio and proximity voice (docs/protocol.md, "Media") ---------------
    media_chunk_max_bytes: int = Field(
        400,
        ge=16,
        le=1275,
        description="Largest media chunk (one 20 ms Opus packet; 32 kbit/s speech is ~80 B).",
    )
    media_chunks_per_s: float = Field(
        60.0, gt=0.0, description="Most media chunks a second from one visitor (50 is real time)."
    )
    media_bytes_per_s: float = Field(
        6000.0,
        gt=0.0,
        description="Most media bytes a second from one visitor (32 kbit/s Opus is 4,000).",
    )
    voice_radius: float = Field(
        12.0, gt=0.0, le=64.0, description="Visitors hear voices within this distance (m)."
    )
    voice_cap: int = Field(
        6, ge=1, le=32, description="Most voices one visitor hears at once (the nearest talking)."
    )

    # --- connections and capacity -----------------------------------------------------------
    max_clients: int = Field(
        2000,
        ge=1,
        description="Joins beyond this many connected clients get 'hall full' (measured "
        "capacity of one core, docs/perf.md).",
    )
    tick_load_limit: float = Field(
        0.8,
        gt=0.0,
        le=1.0,
        description="Refuse new joins while recent ticks use more than this share of the period.",
    )
    join_timeout_s: float = Field(10.0, gt=0.0, description="Time allowed to send the join.")
    resume_window_s: float = Field(
        30.0, ge=0.0, description="How long a dropped visitor's avatar waits for a resume."
    )
    slow_client_timeout_s: float = Field(
        5.0, gt=0.0, description="How long a client's send buffer may stay full."
    )
    send_buffer_bytes: int = Field(
        65536, ge=4096, description="Per-client send buffer above which frames are skipped."
    )
    ping_interval_s: float = Field(10.0, gt=0.0, description="WebSocket ping period.")
    ping_timeout_s: float = Field(10.0, gt=0.0, description="Time to answer a ping.")
    shutdown_grace_s: float = Field(
        2.0, ge=0.0, description="Time clients get to close after being told to reconnect."
    )

    # --- the edge: bodies, deadlines, pending connections (docs/security.md) ---------------
    body_max_bytes: int = Field(
        64 * 1024,
        ge=1024,
        description="Largest request body of every route except the uploads (JSON, forms); "
        "refused with 413 while reading, before sign-in checks and parsing.",
    )
    body_timeout_s: float = Field(
        30.0,
        gt=0.0,
        description="Time a request has to send a body capped by --body-max-bytes, from its "
        "first read; slower ones get 408.",
    )
    header_timeout_s: float = Field(
        10.0,
        gt=0.0,
        description="Time a new connection has to send its request line and headers (a "
        "keep-alive connection: from the first byte of its next request).",
    )
    max_pending_per_address: int = Field(
        64,
        ge=0,
        description="Most connections one client address may hold open before completing a "
        "request or a WebSocket join; more are refused (0: no cap; behind a reverse proxy, "
        "where every connection comes from the proxy, let the proxy cap them).",
    )
    close_timeout_s: float = Field(
        2.0,
        gt=0.0,
        description="Time a WebSocket client has to answer the server's close frame before "
        "the connection is dropped.",
    )
    connection_log_interval_s: float = Field(
        60.0,
        gt=0.0,
        description="Connections are logged one by one at debug level; at info, one summary "
        "line at most this often.",
    )

    # --- accounts, booths and uploads (docs/accounts.md) ------------------------------------
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the database, e.g. postgresql+psycopg://user:pw@host/expo "
        "(several nodes must share one). Default: SQLite (WAL) at <data-dir>/metaexpo.sqlite3.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key (32+ characters) that signs tokens, sessions' CSRF values and invites; "
        "every node of one expo needs the same. Default: generated once into "
        "<data-dir>/secret_key (mode 0600).",
    )
    upload_max_bytes: int = Field(
        50 * 1024 * 1024,
        ge=1024,
        description="Largest booth model upload (.glb, .gltf, .zip), refused while streaming.",
    )
    image_max_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest logo or poster upload (before re-encoding)."
    )
    model_workers: int = Field(
        1,
        ge=0,
        le=16,
        description="Processes that check and fit uploaded models, away from the sync tick "
        "(0: a thread of the server process).",
    )
    upload_concurrency: int = Field(
        4, ge=1, le=256, description="Uploads processed or waiting at once; more get HTTP 503."
    )
    upload_concurrency_per_account: int = Field(
        2,
        ge=1,
        le=256,
        description="Uploads one account may have under way at once (its share of "
        "upload-concurrency); more get HTTP 429.",
    )
    upload_min_bytes_per_s: int = Field(
        10_000,
        ge=1,
        description="Slowest upload body accepted: one that falls more than upload-rate-window-s "
        "behind this rate is cut (HTTP 408), so slow senders cannot hold the upload slots.",
    )
    upload_rate_window_s: float = Field(
        15.0,
        gt=0.0,
        le=3600.0,
        description="How many seconds an upload body may fall behind upload-min-bytes-per-s "
        "(pauses included) before it is cut.",
    )
    orphan_min_age_s: float = Field(
        3600.0,
        ge=60.0,
        description="Stored files that no database row names are removed (at start-up, and by "
        "metaexpo check --fix) only once this old; an upload records its files within half "
        "of it or not at all, so a file of an upload in flight is never removed.",
    )
    login_attempts_per_account: int = Field(
        5, ge=1, description="Failed sign-ins per account within login-window-s before a pause."
    )
    login_attempts_per_address: int = Field(
        20, ge=1, description="Failed sign-ins per client address within login-window-s."
    )
    login_window_s: float = Field(300.0, gt=0.0, description="Window of the sign-in limits.")
    session_ttl_s: float = Field(
        12 * 3600.0, gt=0.0, description="How long a portal sign-in (cookie) lasts."
    )
    token_ttl_s: float = Field(
        12 * 3600.0, gt=0.0, description="How long a bearer token for the API and /ws lasts."
    )
    guest_token_ttl_s: float = Field(
        24 * 3600.0, gt=0.0, description="How long a visitor's signed guest token lasts."
    )
    invite_ttl_s: float = Field(
        7 * 24 * 3600.0, gt=0.0, description="How long a one-time invite link stays valid."
    )
    cookie_secure: Literal["auto", "always", "never"] = Field(
        "auto",
        description="Secure flag of the sign-in cookie: auto sets it when the request came "
        "over https (X-Forwarded-Proto from a trusted proxy counts).",
    )

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"public_url {value!r} must be an http:// or https:// address with a host, "
                "e.g. https://expo.example.org"
            )
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError(f"public_url {value!r} must not carry a query, fragment or login")
        return value.rstrip("/")

    # --- forums (docs/forums.md) --------------------------------------------------------------
    expo_opens: date | None = Field(
        None,
        description="The expo's opening day (YYYY-MM-DD): day 1 of the catalog's forum agenda. "
        "Default: the day the agenda is first seeded into the database (the next day if its "
        "first session has already started), so the demo agenda lies ahead.",
    )
    question_max_chars: int = Field(
        300, ge=10, le=2000, description="Longest question a visitor may ask in a forum."
    )
    questions_per_minute: float = Field(
        3.0, gt=0.0, description="Questions one visitor may ask per minute (2 at once)."
    )
    hands_per_minute: float = Field(
        6.0, gt=0.0, description="Times one visitor may raise or lower a hand per minute."
    )
    slides_max_bytes: int = Field(
        50 * 1024 * 1024, ge=1024, description="Largest slide deck upload (PDF or picture)."
    )
    slides_max_pages: int = Field(
        200, ge=1, le=1000, description="Most pages a slide deck (PDF) may have."
    )

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        if self.ping_timeout_s > self.ping_interval_s:
            raise ValueError("ping_timeout_s must not exceed ping_interval_s")
        if self.node_slots < 256 or 65536 % self.node_slots:
            raise ValueError("node_slots must be a power of two between 256 and 65536")
        if self.workers > 1 and not self.redis_url:
            raise ValueError(
                "workers > 1 needs --redis-url: separate processes can only share a hall "
                "through Redis"
            )
        return self

    @property
    def tick_period(self) -> float:
        """Seconds between two frames to one client."""
        return 1.0 / self.tick_hz

    @property
    def step_hz(self) -> float:
        """Ticks (steps of the sync loop) per second: every phase is a step."""
        return self.tick_hz * self.fanout_phases

    @property
    def step_period(self) -> float:
        """Seconds between two steps of the sync loop."""
        return 1.0 / self.step_hz

    def ticks(self, seconds: float) -> int:
        """How many frame periods (at least one) make ``seconds``."""
        return max(1, round(seconds * self.tick_hz))

    def steps(self, seconds: float) -> int:
        """How many steps of the sync loop (at least one) make ``seconds``."""
        return max(1, round(seconds * self.step_hz))
