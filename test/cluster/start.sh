#!/usr/bin/env bash
# Start a three-node RabbitMQ cluster beside the machine's own broker, for the scale-out tests
# (test/cluster/*.test.ts) and for trying replicas by hand. Idempotent: nodes already running are
# left as they are. Nodes hub1@localhost, hub2@localhost, hub3@localhost listen on 127.0.0.1:5681–5683
# (AMQP) and 25681–25683 (Erlang distribution); no plugins (no management UI). Each node has its own
# config file, data and log directory under $HUB_CLUSTER_DIR (default /tmp/juki-hub-cluster), owned
# by the rabbitmq user, and shares the rabbitmq user's Erlang cookie. The machine's own broker
# (/etc/rabbitmq/rabbitmq.conf pins 127.0.0.1:5672) is not touched.
#
# Prints one line `cluster up in N s` at the end. Needs root (it runs the nodes as rabbitmq).
set -euo pipefail

dir=${HUB_CLUSTER_DIR:-/tmp/juki-hub-cluster}
base_port=${HUB_CLUSTER_BASE_PORT:-5680}
say() { printf '[cluster] %s\n' "$*"; }
start=$(date +%s.%N)

if [[ $(id -u) -ne 0 ]]; then
  say 'needs root (the nodes run as the rabbitmq user) / root で実行してください'
  exit 1
fi

as_rabbitmq() { # run a command as rabbitmq with this cluster's environment for node $1
  local n=$1
  shift
  local nd="$dir/hub$n"
  su rabbitmq -s /bin/sh -c "cd /var/lib/rabbitmq && env HOME=/var/lib/rabbitmq \
    RABBITMQ_NODENAME=hub$n@localhost \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT=$((base_port + n)) \
    RABBITMQ_DIST_PORT=$((base_port + n + 20000)) \
    RABBITMQ_CONF_ENV_FILE=$nd/rabbitmq-env.conf \
    RABBITMQ_CONFIG_FILE=$nd/rabbitmq.conf \
    RABBITMQ_ENABLED_PLUGINS_FILE=$nd/enabled_plugins \
    RABBITMQ_MNESIA_BASE=$nd/mnesia \
    RABBITMQ_LOG_BASE=$nd/log \
    RABBITMQ_PID_FILE=$nd/hub$n.pid \
    ERL_EPMD_ADDRESS=127.0.0.1 \
    $*"
}
ctl() { # rabbitmqctl against node $1
  local n=$1
  shift
  su rabbitmq -s /bin/sh -c "cd /var/lib/rabbitmq && HOME=/var/lib/rabbitmq ERL_EPMD_ADDRESS=127.0.0.1 \
    /usr/lib/rabbitmq/bin/rabbitmqctl -n hub$n@localhost $*"
}
running() { ctl "$1" -q status >/dev/null 2>&1; }

for n in 1 2 3; do
  nd="$dir/hub$n"
  mkdir -p "$nd/mnesia" "$nd/log"
  cat >"$nd/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$((base_port + n))
loopback_users.guest = true
log.file.level = warning
log.console = false
CONF
  # An env file of its own: the machine's /etc/rabbitmq/rabbitmq-env.conf names rabbit@localhost.
  printf 'ERL_EPMD_ADDRESS=127.0.0.1\nexport ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"\n' >"$nd/rabbitmq-env.conf"
  echo '[].' >"$nd/enabled_plugins"
  chown -R rabbitmq:rabbitmq "$nd"
  chown rabbitmq:rabbitmq "$dir"
done

for n in 1 2 3; do
  if running "$n"; then
    say "hub$n@localhost already running"
  else
    as_rabbitmq "$n" /usr/lib/rabbitmq/bin/rabbitmq-server -detached
  fi
done
for n in 1 2 3; do
  ctl "$n" -q -t 120 await_startup >/dev/null
done

for n in 2 3; do
  if ctl "$n" -q cluster_status --formatter json 2>/dev/null | grep -q 'hub1@localhost'; then
    continue
  fi
  # The CLI prints the node's transient start-up warnings on stderr: kept in join.log, not on screen.
  ctl "$n" -q stop_app 2>>"$dir/join.log"
  ctl "$n" -q reset 2>>"$dir/join.log"
  ctl "$n" -q join_cluster hub1@localhost 2>>"$dir/join.log"
  ctl "$n" -q start_app 2>>"$dir/join.log"
  ctl "$n" -q -t 60 await_startup >/dev/null 2>>"$dir/join.log"
done

nodes=$(ctl 1 -q cluster_status --formatter json | grep -o 'hub[123]@localhost' | sort -u | tr '\n' ' ')
end=$(date +%s.%N)
say "nodes: $nodes"
if [[ $(wc -w <<<"$nodes") -ne 3 ]]; then
  say "the cluster did not form (see $dir/join.log and $dir/hub*/log) / クラスタを構成できませんでした"
  exit 1
fi
printf '[cluster] cluster up in %.1f s (ports %d-%d)\n' "$(echo "$end - $start" | bc)" $((base_port + 1)) $((base_port + 3))
