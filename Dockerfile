# One image for every Outreach service; the command picks the service (python -m outreach_<service>).
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock ./
COPY contracts contracts
COPY libs libs
COPY services services
COPY tools tools
COPY cli cli
RUN uv sync --frozen --no-dev --compile-bytecode  # compiled once here: PYTHONDONTWRITEBYTECODE keeps imports from writing it
USER nobody
EXPOSE 8000
CMD ["python", "-m", "outreach_scheduler"]
