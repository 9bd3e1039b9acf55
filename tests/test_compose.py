"""docker-compose.yml: several nodes that share everything a request needs, so any node serves it.

No container engine runs here, so the file is checked as data: one secret for
every node, PostgreSQL and Redis with health checks, one data volume, start-up
order by health, nginx in front of exactly the nodes the file defines, and a
PostgreSQL the image's ``pg_dump`` can back up. How to run it: README, "In a
container".
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.container import postgresql_client_major_of

COMPOSE = ROOT / "docker-compose.yml"
REQUIRED_VARIABLE = re.compile(r"\$\{([A-Z_]+):\?[^}]+\}")


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def _nodes(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in compose["services"].items() if s.get("build") == "."}


def test_there_are_several_expo_nodes_postgresql_redis_and_a_proxy() -> None:
    services = _compose()["services"]
    assert len(_nodes(_compose())) >= 2
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["proxy"]["image"].startswith("nginx:")
    for name, service in services.items():
        if "image" in service and "build" not in service:
            assert re.fullmatch(r"[a-z]+:\d+\.\d+(\.\d+)?-[a-z]+", service["image"]), (
                f"{name}: pin an exact version, not {service['image']}"
            )


def test_every_node_has_the_same_secret_from_the_env_file_and_the_same_database() -> None:
    nodes = _nodes(_compose())
    secrets = {n["environment"]["METAEXPO_SECRET_KEY"] for n in nodes.values()}
    assert len(secrets) == 1, "one shared secret key"
    (secret,) = secrets
    assert REQUIRED_VARIABLE.fullmatch(secret), "from .env, and compose refuses to start without"
    databases = {n["environment"]["METAEXPO_DATABASE_URL"] for n in nodes.values()}
    assert len(databases) == 1 and databases.pop().startswith("postgresql+psycopg://")
    redis = {n["environment"]["METAEXPO_REDIS_URL"] for n in nodes.values()}
    assert redis == {"redis://redis:6379/0"}
    ids = [n["environment"]["METAEXPO_NODE_ID"] for n in nodes.values()]
    assert len(set(ids)) == len(ids), "node ids differ"


def test_the_env_example_names_every_variable_compose_requires() -> None:
    required = set(REQUIRED_VARIABLE.findall(COMPOSE.read_text()))
    assert required == {"METAEXPO_SECRET_KEY", "POSTGRES_PASSWORD"}
    example = (ROOT / ".env.example").read_text()
    for name in required:
        assert re.search(rf"^{name}=$", example, re.MULTILINE), f"{name} in .env.example, empty"
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_the_nodes_share_one_data_volume_and_postgres_keeps_its_own() -> None:
    compose = _compose()
    mounts = {tuple(n["volumes"]) for n in _nodes(compose).values()}
    assert mounts == {("expo-data:/data",)}
    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
    assert set(compose["volumes"]) == {"expo-data", "postgres-data"}


@pytest.mark.parametrize("name", ["postgres", "redis", "node1", "node2", "node3", "proxy"])
def test_every_service_has_a_health_check(name: str) -> None:
    check = _compose()["services"][name]["healthcheck"]
    assert check["test"][0] in ("CMD", "CMD-SHELL") and check["interval"] and check["retries"]


def test_services_start_when_what_they_need_is_healthy() -> None:
    services = _compose()["services"]

    def needs(name: str) -> dict[str, str]:
        return {k: v["condition"] for k, v in services[name]["depends_on"].items()}

    assert needs("node1") == {"postgres": "service_healthy", "redis": "service_healthy"}
    for other in set(_nodes(_compose())) - {"node1"}:
        assert needs(other) == {"node1": "service_healthy"}, "after node1 migrated and built"
    assert needs("proxy") == dict.fromkeys(_nodes(_compose()), "service_healthy")


def test_nginx_balances_over_exactly_the_nodes_and_is_the_only_way_in() -> None:
    compose = _compose()
    proxy = compose["services"]["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    upstream = re.findall(r"^\s*server\s+([a-z0-9]+):8000\b", conf, re.MULTILINE)
    assert sorted(upstream) == sorted(_nodes(compose))
    assert "ip_hash" not in conf and "sticky" not in conf, "any node serves any request"
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf, "clients cannot spoof it"
    assert all("ports" not in s for s in _nodes(compose).values()), "nodes only behind nginx"
    assert proxy["ports"] == ["8000:8000"]


def test_postgresql_is_the_major_version_of_the_images_pg_dump() -> None:
    image = _compose()["services"]["postgres"]["image"]
    server = re.fullmatch(r"postgres:(\d+)\.\d+-bookworm", image)
    assert server, f"{image}: PostgreSQL's official image, an exact version, on bookworm"
    client = postgresql_client_major_of(ROOT / "Dockerfile")
    # pg_dump refuses a server newer than itself ("server version mismatch"), and a dump is
    # restored by the same tools: one major version for both, so backup and restore work.
    assert int(server.group(1)) == client, (
        f"docker-compose.yml runs PostgreSQL {server.group(1)}, the image's pg_dump is {client}: "
        "`metaexpo backup` would fail (docs/accounts.md)"
    )
