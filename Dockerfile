# syntax=docker/dockerfile:1
# The bot's container image: `docker compose up -d` with compose.yaml, or
#   docker build -t parecon-rota . && docker run --env-file .env -v parecon-rota:/data parecon-rota
# Two stages: the first builds a virtual environment from binary wheels only (no compiler is needed
# or installed anywhere): exactly the versions of constraints.txt (`make constraints` refreshes it);
# the second copies it into a clean image that runs as a non-root user.
# BASE_IMAGE may be any Debian-like image with python3 (3.11 or newer) and its venv module, such as a
# locally built one where registries are not reachable (`make container-test` does that).
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# The pinned dependencies first, in a layer of their own: a change to the code does not reinstall them.
COPY constraints.txt ./
RUN python3 -m venv /opt/parecon-rota \
 && /opt/parecon-rota/bin/pip install --only-binary=:all: --requirement constraints.txt
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY cogs ./cogs
COPY storage ./storage
RUN /opt/parecon-rota/bin/pip wheel --no-deps --wheel-dir /wheels . \
 && /opt/parecon-rota/bin/pip install --only-binary=:all: --constraint constraints.txt /wheels/*.whl

FROM ${BASE_IMAGE}
RUN useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin rota \
 && mkdir /data && chown rota:rota /data
COPY --from=build /opt/parecon-rota /opt/parecon-rota
ENV PATH=/opt/parecon-rota/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    HOME=/data \
    DATA_DIR=/data
USER rota
WORKDIR /data
VOLUME ["/data"]
# Healthy: settings valid, database reachable and up to date, gateway heartbeat recent (docs/self-hosting.md).
HEALTHCHECK --interval=60s --timeout=20s --start-period=120s --retries=3 CMD ["parecon-rota", "health"]
# SIGTERM (`docker stop`) closes the gateway session and the database cleanly, then exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["parecon-rota"]
CMD ["run"]
