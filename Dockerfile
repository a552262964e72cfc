# Watcher: a wheel built in one stage, installed for a non-root user in the next.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY watcher ./watcher
COPY connectors ./connectors
COPY alerts ./alerts
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 watcher \
    && mkdir /data \
    && chown 10001:10001 /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels
COPY config.toml /etc/watcher/config.toml
# Mount your own config over /etc/watcher/config.toml and pass secrets as environment variables
# it references as ${NAME}. The SQLite store lives on the /data volume; set
# WATCHER_DATABASE_URL to a postgresql+psycopg:// URL to share one store between replicas.
ENV WATCHER_CONFIG=/etc/watcher/config.toml \
    WATCHER_DATABASE_URL=sqlite:////data/watcher.db \
    WATCHER_WEB_BIND=0.0.0.0 \
    WATCHER_WEB_PORT=8080 \
    PYTHONUNBUFFERED=1
USER 10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["watcher", "healthcheck"]
CMD ["watcher", "run"]
