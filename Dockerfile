# The expo service in a container (README: "In a container").
#   docker build -t metaexpo . && docker run -p 8000:8000 -v expo-data:/data metaexpo
#
# Two stages. "web" builds the browser client (web/dist) with Node. The runtime image is
# Python plus exactly two foreign runtimes, each because a request path needs it, and no
# build tool (no npm, no compiler, no package but the ones named here):
#   * node, for the Khronos glTF-Validator that every uploaded model must pass (docs/models.md,
#     "The Khronos gate"; without it model uploads answer 503). The validator ships only as the
#     npm package gltf-validator, so the image gets the node binary of the web stage (the same
#     pinned Node.js, no npm, no corepack), that one package (no dependencies of its own; no
#     other node_modules) and web/tools/validate-gltf.mjs. The binary links only glibc,
#     libstdc++6 and libgcc-s1 (ldd), installed below by name. The trade-off, and why not a
#     validator service or a rewrite: docs/security.md, "What the container image holds".
#   * PostgreSQL's client tools (pg_dump, pg_restore) for `metaexpo backup` and `restore` with
#     PostgreSQL (docs/accounts.md): Debian bookworm's postgresql-client-15, which can dump a
#     server of major version 15 or older, so docker-compose.yml runs PostgreSQL 15.
# Base images are pinned by exact version and by the digest of their multi-platform index;
# change both together. Debian packages come from the base image's release (bookworm) at
# build time: rebuild to get their security updates.
#
# tests/test_container.py runs these instructions without a container engine: it copies
# what each COPY names (minus .dockerignore) into a folder per stage, runs each RUN there
# with the stage's ENV and WORKDIR and only the base image's commands on PATH (apt-get
# links the named packages' commands from this machine's Debian), then starts CMD as the
# non-root user, uploads a model, backs the database up and runs the HEALTHCHECK. Keep RUN
# lines free of absolute paths of the image's own folders: use the ENV variables below.

# --- the web client -------------------------------------------------------------------------
FROM node:24.20.0-bookworm-slim@sha256:ba849c60be29959425b8734d57b8b4b7d56f98edd9504c9af091d5281095a71e AS web
WORKDIR /src/web
# Dependencies first, so a source change does not reinstall them.
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/build.mjs web/index.html ./
COPY web/src ./src
COPY web/tools ./tools
RUN npm run build --silent

# --- the service ----------------------------------------------------------------------------
FROM python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d AS runtime
# Runtime libraries and tools from Debian, none to build with: pg_dump and pg_restore (15:
# the compose file's PostgreSQL), and the C++ runtime the node binary below links.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install --yes --no-install-recommends \
        postgresql-client-15 libstdc++6 libgcc-s1 \
    && rm -rf /var/lib/apt/lists/*
ENV VIRTUAL_ENV=/opt/venv \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_INPUT=1
ENV PATH="$VIRTUAL_ENV/bin:$PATH"
WORKDIR /app
# Every Python package from the lock, with its hash, as wheels only: a package that would
# need a compiler fails here instead of pulling build tools into the image.
COPY requirements/run.txt ./requirements/
RUN python -m venv "$VIRTUAL_ENV" \
    && pip install --no-cache-dir --require-hashes --no-deps --only-binary=:all: \
        -r requirements/run.txt
# The expo itself, editable like a checkout: scenes/, avatars/, assets/ and web/dist are
# found beside server/ (config.PROJECT_ROOT).
COPY pyproject.toml README.md ./
COPY server ./server
RUN pip install --no-cache-dir --no-deps --no-build-isolation -e . \
    && python -m compileall -q server \
    && pip check
COPY scenes ./scenes
COPY avatars ./avatars
COPY assets ./assets
COPY --from=web /src/web/dist ./web/dist
# The Khronos glTF-Validator (see the top): node itself, the one package, the script.
COPY --from=web /usr/local/bin/node /usr/local/bin/node
COPY --from=web /src/web/node_modules/gltf-validator ./web/node_modules/gltf-validator
COPY web/tools/validate-gltf.mjs ./web/tools/

# Runs as an unprivileged user (numeric: no account needed) that owns only the data folder;
# the code stays read-only to it. The folder is 0700 like every data folder (docs/security.md,
# "Files and who may read them"); a new named volume takes its owner and mode.
ENV METAEXPO_HOST=0.0.0.0 \
    METAEXPO_PORT=8000 \
    METAEXPO_DATA_DIR=/data
RUN install -d -o 10001 -g 10001 -m 0700 "$METAEXPO_DATA_DIR"
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
# The first start builds the scenes into /data (seconds to a minute): hence the start period.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('METAEXPO_PORT', '8000'), timeout=4)"]
CMD ["metaexpo", "serve"]
