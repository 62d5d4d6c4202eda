# One image for every Concord service; compose picks the service with `command`.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY shared ./shared
COPY services ./services
RUN uv sync --locked --no-dev
ENV PATH="/app/.venv/bin:$PATH"
USER nobody
CMD ["python", "-m", "services.ingest"]
