# syntax=docker/dockerfile:1
# webwork-server: the wheel built in one stage, installed alone in a slim runtime.
#   docker build --build-arg VERSION="$(git describe --tags | sed 's/^v//')" -t webwork .
#   docker run -p 8000:8000 -v webwork-data:/var/lib/webwork webwork
# SQLite in the volume by default; set WEBWORK_DATABASE_URL for PostgreSQL (compose.yaml).

FROM python:3.11-slim AS builder
# setuptools-scm reads the version from git, which the build context leaves out
# (.dockerignore): it is given here instead.
ARG VERSION=0.1.0
ENV SETUPTOOLS_SCM_PRETEND_VERSION=${VERSION} \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN pip install --no-cache-dir build==1.2.2.post1
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
RUN python -m build --wheel --outdir /dist .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEBWORK_HOST=0.0.0.0 \
    WEBWORK_PORT=8000 \
    WEBWORK_DATABASE_URL=sqlite+aiosqlite:////var/lib/webwork/webwork.db
# A fixed numeric id: volumes can be prepared for it, and USER by number lets an
# orchestrator verify that the process does not run as root.
RUN groupadd --system --gid 10001 webwork \
    && useradd --system --uid 10001 --gid webwork --home-dir /var/lib/webwork --no-create-home --shell /usr/sbin/nologin webwork \
    && install -d -o webwork -g webwork -m 0750 /var/lib/webwork
COPY --from=builder /dist/*.whl /tmp/
RUN pip install --no-cache-dir /tmp/*.whl && rm /tmp/*.whl
WORKDIR /var/lib/webwork
VOLUME ["/var/lib/webwork"]
USER 10001:10001
EXPOSE 8000
# /ready answers 200 only while the database answers; no curl in a slim image.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/ready', timeout=4).status != 200)"]
# serve migrates first (unless --no-migrate); SIGTERM lets requests in flight finish.
STOPSIGNAL SIGTERM
CMD ["webwork", "serve"]
