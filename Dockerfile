# Watcher: installed into a virtual environment in one stage; the next copies that environment
# alone, so the image holds the base, /opt/watcher and the example config: no wheels, no pip
# cache, no sources, no build tools.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY watcher ./watcher
COPY connectors ./connectors
COPY alerts ./alerts
COPY migrations ./migrations
# The environment gets no pip of its own: the base image's pip fills it (--python). snownlp's
# training corpora and Python 2 models (41 MB) are dropped: Python 3 reads only its *.marshal.3.
RUN python -m venv --without-pip /opt/watcher \
    && pip --python /opt/watcher/bin/python install --no-cache-dir . \
    && snownlp=/opt/watcher/lib/python3.11/site-packages/snownlp \
    && rm "$snownlp"/seg/data.txt "$snownlp"/tag/199801.txt "$snownlp"/sentiment/neg.txt \
        "$snownlp"/sentiment/pos.txt "$snownlp"/seg/seg.marshal "$snownlp"/tag/tag.marshal \
        "$snownlp"/sentiment/sentiment.marshal

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 watcher \
    && mkdir /data \
    && chown 10001:10001 /data
COPY --from=build /opt/watcher /opt/watcher
COPY config.toml /etc/watcher/config.toml
# Mount your own config over /etc/watcher/config.toml and pass secrets as environment variables
# it references as ${NAME}. The SQLite store lives on the /data volume; set
# WATCHER_DATABASE_URL to a postgresql+psycopg:// URL to share one store between replicas.
ENV PATH=/opt/watcher/bin:$PATH \
    WATCHER_CONFIG=/etc/watcher/config.toml \
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
