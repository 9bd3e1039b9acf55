# The expo service in a container: `docker build -t metaexpo . && docker run -p 8000:8000 metaexpo`
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY server ./server
RUN pip install --no-cache-dir -e .
COPY web/package.json web/package-lock.json ./web/
RUN cd web && npm ci --no-audit --no-fund --omit=optional
COPY . .
ENV METAEXPO_HOST=0.0.0.0 METAEXPO_DATA_DIR=/data
VOLUME /data
EXPOSE 8000
CMD ["metaexpo", "serve"]
