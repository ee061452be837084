#!/usr/bin/env bash
# Stop the three-node test cluster started by test/cluster/start.sh. Leaves the machine's own broker
# alone. With --clean, also removes the data directories (the next start forms a fresh cluster).
set -euo pipefail
dir=${HUB_CLUSTER_DIR:-/tmp/juki-hub-cluster}
for n in 3 2 1; do
  su rabbitmq -s /bin/sh -c "cd /var/lib/rabbitmq && HOME=/var/lib/rabbitmq ERL_EPMD_ADDRESS=127.0.0.1 \
    /usr/lib/rabbitmq/bin/rabbitmqctl -n hub$n@localhost -q stop" >/dev/null 2>&1 || true
done
if [[ "${1:-}" == --clean ]]; then rm -rf "$dir"; fi
echo '[cluster] stopped'
