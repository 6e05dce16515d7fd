# skimwatch image for workers and the web app: Debian's Chromium, a non-root user, `skimwatch run` by default.

# Build stage: the dev dependencies (esbuild) compile the CLI into dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs ./scripts/
COPY core ./core
COPY crawler ./crawler
COPY detector ./detector
COPY notifier ./notifier
COPY store ./store
COPY pipeline ./pipeline
COPY review ./review
COPY cli ./cli
COPY fixtures ./fixtures
RUN node scripts/build.mjs

FROM node:20-bookworm-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-liberation ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    SKIMWATCH_CHROMIUM=/usr/bin/chromium \
    SKIMWATCH_HOME=/data \
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# dist/ reads its data files from the project tree: migrations, and the fixture shops for `demo`.
COPY --from=build /app/dist ./dist
# the detonation chamber serves jQuery to its synthetic checkouts (a dev dependency today)
COPY --from=build /app/node_modules/jquery ./node_modules/jquery
COPY store/migrations ./store/migrations
COPY fixtures/shops ./fixtures/shops
COPY bin ./bin

RUN groupadd --system skimwatch && useradd --system --gid skimwatch --create-home skimwatch \
 && mkdir -p /data && chown skimwatch:skimwatch /data
USER skimwatch
VOLUME /data

# Workers take REDIS_URL and DATABASE_URL from the environment; without them they run embedded in /data.
# Chromium keeps its sandbox as this non-root user; it needs user namespaces, which Docker's
# default seccomp profile refuses: run with `--security-opt seccomp=unconfined` (or a Chrome
# seccomp profile) rather than dropping the sandbox, since the pages visited are hostile.
# the review app (`serve --host 0.0.0.0`) and a worker's metrics (`run --metrics-port 9464 --metrics-host 0.0.0.0`)
EXPOSE 8080 9464
# tini forwards SIGTERM: a worker finishes its visits in flight, closes Chromium and exits
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/skimwatch.mjs"]
CMD ["run"]
