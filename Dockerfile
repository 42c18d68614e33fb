# syntax=docker/dockerfile:1
# Nashra's image: `docker build -t nashra .`, then `docker compose up` (compose.yaml) or
# `docker run --env-file .env nashra`. Two stages on the same slim base: the builder installs
# the exact versions of requirements.lock (hash-checked) and the project into a venv; the final
# stage copies that venv alone: no compiler, no pip cache, no source tree, a non-root user.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
# Compilers only here, for a dependency without a wheel for the build's platform (none on
# x86_64 or arm64 today; harmless when unused).
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
# The venv lives at the same path in both stages: a venv's scripts name their interpreter.
RUN python -m venv /opt/nashra
WORKDIR /src
# The lock first: the dependency layer is rebuilt only when requirements.lock changes.
COPY requirements.lock ./
RUN /opt/nashra/bin/pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
# The project itself, not editable; its dependencies are all in the lock already.
RUN /opt/nashra/bin/pip install --no-deps . \
    && /opt/nashra/bin/pip check

FROM ${PYTHON_IMAGE}
# A system user without a shell or a password; its home holds the working directory, where
# a default SQLite database (DATABASE_URL unset) would be written.
RUN groupadd --system --gid 10001 nashra \
    && useradd --system --uid 10001 --gid nashra --home-dir /var/lib/nashra \
        --create-home --shell /usr/sbin/nologin nashra
COPY --from=builder /opt/nashra /opt/nashra
ENV PATH=/opt/nashra/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080
WORKDIR /var/lib/nashra
USER nashra:nashra
# /healthz, /readyz and /metrics (and the webhook, with WEBHOOK_URL) on HTTP_PORT.
EXPOSE 8080
# Liveness: /healthz answers 200 while the process runs. slim has no curl: Python's urllib.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('HTTP_PORT', '8080'), timeout=4)"]
ENTRYPOINT ["nashra"]
CMD ["run"]
