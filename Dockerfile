# Usher's production image: `docker build -t usher .`, then
#   docker run -p 8080:8080 -v usher-data:/data -e USHER_PUBLIC_URL=https://usher.example.com usher
# docs/deploying-postgresql.md ("Production") explains every choice below; compose.yaml runs it on PostgreSQL.

# The base is pinned by major version; NODE_IMAGE lets scripts/container-check.sh build on a local base
# made from Debian packages where no registry image can be pulled.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# --ignore-scripts: the image's own Node 22 runs everything, so the `node` package's download of a second
# Node is not needed; better-sqlite3 ships N-API prebuilds (linux x64/arm64, glibc and musl) and loads them
# without compiling, which is what package.json's allowScripts asks of npm 11 (the base's npm 10 ignores it);
# esbuild finds its platform package without its postinstall.
COPY package.json package-lock.json ./
COPY packages/sdk/package.json packages/sdk/
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/
# The CLI's bundle takes the workspace SDK's source in (the server's does not).
COPY packages/sdk/src packages/sdk/src
COPY src src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    USHER_DATABASE_URL=sqlite:/data/usher.db
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/sdk/package.json packages/sdk/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# The server and the CLI both run the bundle: `usher migrate` (or `node dist/cli.js migrate`), `keys create`,
# `store copy`. bin/usher.js checks the Node version and finds dist/ up to date (no sources here to rebuild
# from), so it needs only build.mjs, the check beside it, and the start options `usher serve` runs with, the
# allocator's settings and the process replacement that gives them. Everything stays owned by root: the server's
# user can read the code, not change it.
COPY --from=build /app/dist dist
COPY bin bin
COPY scripts/build.mjs scripts/
COPY src/node-version.mjs src/
COPY src/start-options.mjs src/
COPY src/replace-process.mjs src/
COPY src/allocator-environment.mjs src/
RUN ln -s /app/bin/usher.js /usr/local/bin/usher
# The SQLite store (the default); a PostgreSQL deployment leaves the volume empty.
RUN mkdir /data && chown node:node /data
VOLUME /data
# `node` (uid 1000) comes with the official image.
USER node
EXPOSE 8080
# No curl in slim images: Node's own fetch asks /readyz, which answers 503 from the moment shutdown begins.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and receives SIGTERM itself (exec form, no shell, no npm): Usher handles SIGTERM and SIGINT,
# drains and exits 0, and starts no child processes, so it needs no init to forward signals or reap zombies.
# The same node options as `npm start` (package.json; a test keeps them equal): V8's heap capped as measured in bench/.
CMD ["node", "--enable-source-maps", "--max-semi-space-size=8", "--max-old-space-size=192", "--no-allocation-site-pretenuring", "dist/main.js"]
