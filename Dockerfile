# Watcher: build a wheel in one stage, run it as a non-root user in the next.
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
    && chown watcher:watcher /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl \
    && rm -rf /wheels
COPY config.toml /etc/watcher/config.toml
# The SQLite store lives on the /data volume; mount your own config over /etc/watcher/config.toml
# and pass secrets as environment variables referenced there as ${NAME}.
ENV WATCHER_CONFIG=/etc/watcher/config.toml \
    WATCHER_DATABASE_URL=sqlite:////data/watcher.db \
    PYTHONUNBUFFERED=1
USER watcher
WORKDIR /data
VOLUME ["/data"]
CMD ["watcher", "run"]
