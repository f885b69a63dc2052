#!/usr/bin/env bash
# Builds the Dockerfile with podman and checks the image the way an orchestrator uses it: it becomes ready
# (/readyz 200, the image's own HEALTHCHECK passes), runs as a non-root user that cannot change the code and
# can write /data, its CLI starts, and SIGTERM ends it with exit 0 within USHER_SHUTDOWN_TIMEOUT_MS, /readyz
# answering 503 during the drain.
#
#   bash scripts/container-check.sh            # after `npm ci`, as root, with podman, runc and mmdebstrap
#
# Where registry images cannot be pulled, the base is made here: Debian bookworm from Debian's packages
# (mmdebstrap), the Node 22 binary that the npm package `node` put in node_modules, npm 10 (the major that
# node:22 images carry) from the npm registry, a `node` user with uid 1000, and this machine's CA bundle (so
# npm trusts whatever TLS proxy the machine trusts). Set USHER_CHECK_BASE=node:22-bookworm-slim to check on
# the real base instead. runc, not crun: crun refuses hosts with hybrid cgroups.
set -euo pipefail
cd "$(dirname "$0")/.."

image=localhost/usher:check
base=${USHER_CHECK_BASE:-localhost/usher-node-base:22}
container=usher-check-$$
volume=usher-check-data-$$
port=${USHER_CHECK_PORT:-18480}
drain_ms=2000
timeout_ms=9000
podman=(podman --runtime "${USHER_CHECK_RUNTIME:-runc}")
# Podman's default limits exceed what a container may set inside some VMs; these fit Usher.
limits=(--ulimit nofile=20000:20000 --ulimit nproc=4096:4096)

fail() { echo "container-check: FAIL: $*" >&2; exit 1; }
failed=0
soft_fail() { echo "container-check: FAIL: $*" >&2; failed=1; }
pass() { echo "container-check: ok: $*"; }

for tool in podman mmdebstrap "${USHER_CHECK_RUNTIME:-runc}"; do
  command -v "$tool" >/dev/null ||
    { echo "container-check: needs $tool (apt-get install podman runc mmdebstrap uidmap)" >&2; exit 2; }
done

build_local_base() {
  local node_bin work
  node_bin=$(readlink -f node_modules/node/bin/node 2>/dev/null || true)
  [[ -x "$node_bin" && "$("$node_bin" --version)" == v22.* ]] ||
    { echo "container-check: no Node 22 in node_modules/node (run npm ci first)" >&2; exit 2; }
  work=$(mktemp -d /tmp/usher-base.XXXXXX)
  echo "container-check: making $base from Debian packages (a minute or a few)"
  mmdebstrap --quiet --variant=minbase --include=ca-certificates bookworm "$work/rootfs.tar"
  podman import --quiet "$work/rootfs.tar" localhost/usher-debian:bookworm >/dev/null
  cp "$node_bin" "$work/node"
  (cd "$work" && npm pack --silent npm@10 >/dev/null && mv npm-*.tgz npm.tgz)
  cp /etc/ssl/certs/ca-certificates.crt "$work/ca-certificates.crt"
  cat >"$work/Containerfile" <<'EOF'
FROM localhost/usher-debian:bookworm
COPY node /usr/local/bin/node
ADD npm.tgz /usr/local/lib/node_modules/
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN mv /usr/local/lib/node_modules/package /usr/local/lib/node_modules/npm \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
CMD ["node"]
EOF
  "${podman[@]}" build --quiet --network host -t "$base" "$work" >/dev/null
  rm -rf "$work"
}

if [[ -z "${USHER_CHECK_BASE:-}" ]] && ! podman image exists "$base"; then build_local_base; fi

echo "container-check: building $image on $base"
# --format docker: the OCI image format has no HEALTHCHECK, and podman would drop it.
"${podman[@]}" build --quiet --format docker --network host --build-arg "NODE_IMAGE=$base" -t "$image" . >/dev/null
pass "image built"

cleanup() {
  podman rm --force --ignore "$container" >/dev/null 2>&1 || true
  podman volume rm --force "$volume" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"${podman[@]}" run --rm "${limits[@]}" --health-interval disable "$image" node bin/usher.js --version >/dev/null ||
  fail "the CLI (node bin/usher.js) does not start in the image"
pass "the CLI starts"

# --health-interval disable: podman schedules health checks with systemd timers; the check runs it by hand.
"${podman[@]}" run --detach --name "$container" "${limits[@]}" --health-interval disable \
  -p "127.0.0.1:$port:8080" -v "$volume:/data" \
  -e USHER_SHUTDOWN_DRAIN_MS=$drain_ms -e USHER_SHUTDOWN_TIMEOUT_MS=$timeout_ms "$image" >/dev/null

readyz() { curl --silent --max-time 2 --output /dev/null --write-out '%{http_code}' "http://127.0.0.1:$port/readyz" || true; }
for _ in $(seq 1 120); do
  [[ "$(readyz)" == 200 ]] && break
  [[ "$(podman inspect --format '{{.State.Running}}' "$container")" == true ]] ||
    { podman logs "$container" >&2; fail "the container exited before it was ready"; }
  sleep 0.5
done
[[ "$(readyz)" == 200 ]] || { podman logs "$container" >&2; fail "/readyz never answered 200"; }
pass "/readyz 200 on the published port"

podman healthcheck run "$container" >/dev/null || fail "the image's HEALTHCHECK does not pass on a ready server"
pass "the image's HEALTHCHECK passes"

uid=$(podman exec "$container" id -u)
[[ "$uid" != 0 ]] || fail "the server runs as root"
podman exec "$container" sh -c 'touch /app/dist/main.js 2>/dev/null' && fail "the server's user can change the code"
podman exec "$container" test -s /data/usher.db || fail "no SQLite store in the /data volume"
pass "runs as uid $uid, cannot change /app, keeps its store in /data"

# SIGTERM as `docker stop` and Kubernetes send it: readiness goes first, then the process exits 0.
started=$(date +%s%N)
podman kill --signal TERM "$container" >/dev/null
sleep 0.5
during=$(readyz)
# 000 is a refused connection: the listener closed without a drain.
if [[ "$during" == 503 ]]; then pass "/readyz 503 during the drain"; else soft_fail "/readyz answered $during during the drain, not 503"; fi
status=$(timeout 30 podman wait "$container") || fail "the container had not exited 30 s after SIGTERM"
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
[[ "$status" == 0 ]] || { podman logs "$container" >&2; fail "exit status $status after SIGTERM"; }
((elapsed_ms < timeout_ms)) || fail "exited after ${elapsed_ms} ms, past the ${timeout_ms} ms deadline"
pass "SIGTERM: exit 0 after ${elapsed_ms} ms (drain ${drain_ms} ms, deadline ${timeout_ms} ms)"
((failed == 0)) || exit 1
echo "container-check: all passed"
