#!/usr/bin/env bash
# make cluster: two Maintenant instances on loopback against one PostgreSQL, behind HAProxy.
#   CLUSTER_PORT (8090) is the balancer; the instances listen on the next two ports.
#   DATABASE_URL as for `make run` (unset: the dev database, provisioned if needed).
# Both instances share SECRET_KEY, BASE_URL and DATA_DIR (one machine: the local file store is the
# same directory). Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
[ -x "$HAPROXY" ] || { echo "haproxy is missing: run 'make system-deps' (apt-get install haproxy)"; exit 1; }
[ -x bin/maintenant ] || { echo "bin/maintenant is missing: run 'make build'"; exit 1; }

PORT=${CLUSTER_PORT:-8090}
export CLUSTER_BIND=127.0.0.1:$PORT INSTANCE_A=127.0.0.1:$((PORT + 1)) INSTANCE_B=127.0.0.1:$((PORT + 2))
export DATA_DIR=${DATA_DIR:-data} BASE_URL=${BASE_URL:-http://$CLUSTER_BIND} TRUSTED_PROXIES=127.0.0.1
mkdir -p "$DATA_DIR/cluster"
if [ -z "${SECRET_KEY:-}" ]; then
	[ -s "$DATA_DIR/secret.key" ] || openssl rand -hex 32 >"$DATA_DIR/secret.key"
	SECRET_KEY=$(cat "$DATA_DIR/secret.key")
fi
export SECRET_KEY

pids=()
stop() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap stop EXIT INT TERM

wait_ready() {
	for _ in $(seq 1 300); do
		curl -fsS "http://$1/readyz" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "instance $1 not ready; see $DATA_DIR/cluster/*.log"
	exit 1
}

# The first instance migrates (and seeds an empty dev database); the second starts once it is ready.
LISTEN_ADDR=$INSTANCE_A bin/maintenant serve >"$DATA_DIR/cluster/a.log" 2>&1 &
pids+=($!)
wait_ready "$INSTANCE_A"
LISTEN_ADDR=$INSTANCE_B bin/maintenant serve >"$DATA_DIR/cluster/b.log" 2>&1 &
pids+=($!)
wait_ready "$INSTANCE_B"
"$HAPROXY" -db -f scripts/haproxy.cfg &
pids+=($!)

echo "Maintenant: http://$CLUSTER_BIND (instances a on $INSTANCE_A, b on $INSTANCE_B; logs in $DATA_DIR/cluster/)"
echo "Ctrl-C stops the cluster."
wait -n "${pids[@]}"
