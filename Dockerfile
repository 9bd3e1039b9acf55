# The expo service in a container (README: "In a container").
#   docker build -t metaexpo . && docker run -p 8000:8000 -v expo-data:/data metaexpo
#
# Two stages. "web" builds the browser client (web/dist) with Node; the runtime image is
# Python only: no Node, no compiler, no node_modules. Base images are pinned by exact
# version and by the digest of their multi-platform index; change both together.
#
# tests/test_container.py runs these instructions without a container engine: it copies
# what each COPY names (minus .dockerignore) into a folder per stage, runs each RUN there
# with the stage's ENV and WORKDIR, then starts CMD as the non-root user and runs the
# HEALTHCHECK. Keep RUN lines free of absolute paths: use the ENV variables below.

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

# Runs as an unprivileged user (numeric: no account needed) that owns only the data folder;
# the code stays read-only to it.
ENV METAEXPO_HOST=0.0.0.0 \
    METAEXPO_PORT=8000 \
    METAEXPO_DATA_DIR=/data
RUN install -d -o 10001 -g 10001 -m 0750 "$METAEXPO_DATA_DIR"
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
# The first start builds the scenes into /data (seconds to a minute): hence the start period.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('METAEXPO_PORT', '8000'), timeout=4)"]
CMD ["metaexpo", "serve"]
