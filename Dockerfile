# planbridge: the HTTP service (REST API, Slack endpoints, daily digest).
# The same steps as `make install`: the locked dependencies with uv, then the project (editable, so
# prompts/ and the package live side by side as in a checkout).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    PLANBRIDGE_DATABASE_URL=sqlite:////data/planbridge.sqlite

WORKDIR /app

# Dependencies first: this layer changes only with the lock file.
COPY requirements.lock ./
RUN python -m pip install --quiet uv==0.13.9 \
 && uv pip sync --quiet --compile-bytecode --system requirements.lock

COPY pyproject.toml README.m[d] ./
COPY planning_core ./planning_core
COPY integrations ./integrations
COPY planbridge ./planbridge
COPY bot ./bot
COPY feishu ./feishu
COPY prompts ./prompts
RUN touch README.md && uv pip install --quiet --system --no-deps -e . \
 && python -m compileall -q planning_core integrations planbridge bot feishu

RUN useradd --create-home --uid 10001 planbridge && mkdir -p /data && chown planbridge /data
USER planbridge
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)" || exit 1

# Binding 0.0.0.0 needs PLANBRIDGE_API_TOKEN: `planbridge serve` refuses an open API beyond loopback.
CMD ["planbridge", "serve", "--host", "0.0.0.0", "--port", "8000"]
