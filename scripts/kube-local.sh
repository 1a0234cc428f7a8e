#!/usr/bin/env bash
# A local Kubernetes API server (1.20, built from Debian bookworm's `kubernetes` source
# package) with controller-manager, scheduler and Debian's etcd, on 127.0.0.1 only.
#
#   scripts/kube-local.sh build    build the three binaries once per machine (~8 min, ~3 GB)
#   scripts/kube-local.sh start    start etcd + apiserver + controller-manager + scheduler,
#                                  register a fake Ready Node; prints the kubeconfig path
#   scripts/kube-local.sh stop     stop only the processes `start` started (by PID)
#   scripts/kube-local.sh status   show what runs and whether the API answers
#   scripts/kube-local.sh reset    stop, then remove the run state (a fresh cluster next start)
#   scripts/kube-local.sh env      print `export KUBECONFIG=...`
#
# Binaries live in $COOLIFY_K8S_CACHE (default ~/.cache/coolify-k8s/bin); run state (PIDs,
# certificates, etcd data, logs, kubeconfig) in $COOLIFY_K8S_CACHE/run. Recipe and its one fix
# (Debian's reflect2 1.0.2 replaces the vendored 1.0.1, which crashes under Go >= 1.18):
# ../shared/docs/TOOLCHAIN.md.
set -euo pipefail

CACHE="${COOLIFY_K8S_CACHE:-$HOME/.cache/coolify-k8s}"
BIN="$CACHE/bin"
RUN="$CACHE/run"
SRC="$CACHE/src"
# Ports: not the defaults (6443, 2379) so a real cluster tool on this machine is not disturbed.
API_PORT="${KUBE_LOCAL_API_PORT:-16443}"
ETCD_PORT="${KUBE_LOCAL_ETCD_PORT:-12379}"
ETCD_PEER_PORT="$((ETCD_PORT + 1))"
KCM_PORT="${KUBE_LOCAL_KCM_PORT:-10257}"
SCHED_PORT="${KUBE_LOCAL_SCHED_PORT:-10259}"
NODE_NAME="fake-node"
COMPONENTS=(kube-apiserver kube-controller-manager kube-scheduler)

source "$(dirname "$0")/lib/common.sh"

ensure_deb_src() {
  if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "adding a deb-src line for bookworm"
    as_root tee /etc/apt/sources.list.d/coolify-k8s-deb-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt_get update -qq
  fi
}

have_binaries() {
  local c
  for c in "${COMPONENTS[@]}"; do [ -x "$BIN/$c" ] || return 1; done
}

cmd_build() {
  if have_binaries; then log "binaries cached in $BIN"; return 0; fi
  apt_install golang-go dpkg-dev rsync jq golang-github-modern-go-reflect2-dev ca-certificates
  ensure_deb_src
  rm -rf "$SRC"
  mkdir -p "$SRC" "$BIN"
  log "fetching the kubernetes source package"
  (cd "$SRC" && apt-get source -qq kubernetes >/dev/null)
  local tree
  tree="$(find "$SRC" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)"
  [ -n "$tree" ] || die "apt-get source kubernetes produced no source tree in $SRC"
  local reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
  [ -d "$reflect2" ] || die "$reflect2 missing (golang-github-modern-go-reflect2-dev)"
  log "replacing vendored modern-go/reflect2 with Debian's $(dpkg-query -W -f='${Version}' golang-github-modern-go-reflect2-dev)"
  rsync -a --delete --exclude '*_test.go' --exclude 'test*/' --exclude '.*' \
    "$reflect2/" "$tree/vendor/github.com/modern-go/reflect2/"
  log "building ${COMPONENTS[*]} (several minutes)"
  local what="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler"
  (cd "$tree" && GOPROXY=off GOFLAGS=-mod=vendor CGO_ENABLED=0 GOTOOLCHAIN=local \
      make WHAT="$what" KUBE_BUILD_PLATFORMS=linux/amd64 >"$SRC/build.log" 2>&1) \
    || { tail -n 40 "$SRC/build.log" >&2; die "build failed (log: $SRC/build.log)"; }
  local c out
  for c in "${COMPONENTS[@]}"; do
    out="$(find "$tree/_output" -type f -name "$c" -perm -u+x | head -n1)"
    [ -n "$out" ] || die "built $c not found under $tree/_output"
    install -m 0755 "$out" "$BIN/$c"
  done
  # The source tree and build output (~3 GB) are only needed once.
  rm -rf "$SRC"
  log "binaries cached in $BIN: $("$BIN/kube-apiserver" --version)"
}


# pid_alive NAME: the recorded PID runs, and is still our NAME process (a PID file left by a
# killed run may name a PID the system has since given to another process).
pid_alive() {
  local pid
  [ -f "$RUN/$1.pid" ] || return 1
  pid="$(cat "$RUN/$1.pid")"
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$1"
}

KUBECTL() { kubectl --kubeconfig "$RUN/kubeconfig" "$@"; }

default_sa_exists() { KUBECTL get serviceaccount default -n default >/dev/null 2>&1; }

api_ready() { KUBECTL get --raw /readyz >/dev/null 2>&1; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local n="$1" what="$2"; shift 2
  local i
  for ((i = 0; i < n * 4; i++)); do "$@" && return 0; sleep 0.25; done
  die "$what not ready after ${n}s (logs in $RUN)"
}

# start_daemon NAME COMMAND...: runs in the background, records its PID, logs to $RUN/NAME.log.
start_daemon() {
  local name="$1"; shift
  if pid_alive "$name"; then log "$name already running (pid $(cat "$RUN/$name.pid"))"; return 0; fi
  setsid "$@" >"$RUN/$name.log" 2>&1 </dev/null &
  echo "$!" >"$RUN/$name.pid"
  log "$name started (pid $!)"
}

make_credentials() {
  [ -f "$RUN/pki/sa.key" ] && return 0
  mkdir -p "$RUN/pki"
  (umask 077
   openssl genrsa -out "$RUN/pki/sa.key" 2048 2>/dev/null
   openssl rsa -in "$RUN/pki/sa.key" -pubout -out "$RUN/pki/sa.pub" 2>/dev/null
   # The apiserver's serving certificate (self-signed, for 127.0.0.1 and localhost).
   openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=127.0.0.1" \
     -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
     -keyout "$RUN/pki/apiserver.key" -out "$RUN/pki/apiserver.crt" 2>/dev/null
   local token
   token="$(openssl rand -hex 16)"
   printf '%s,admin,admin,system:masters\n' "$token" >"$RUN/pki/tokens.csv"
   cat >"$RUN/kubeconfig" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $RUN/pki/apiserver.crt
users:
- name: admin
  user:
    token: $token
contexts:
- name: local
  context: {cluster: local, user: admin, namespace: default}
current-context: local
KCFG
  )
}

# The fake Node: Ready, with allocatable resources, and without the not-ready taint that
# TaintNodesByCondition adds (nothing removes it with the node-lifecycle controller off).
register_node() {
  KUBECTL get node "$NODE_NAME" >/dev/null 2>&1 || KUBECTL apply -f - >/dev/null <<NODE
apiVersion: v1
kind: Node
metadata:
  name: $NODE_NAME
  labels: {kubernetes.io/hostname: $NODE_NAME, kubernetes.io/os: linux, kubernetes.io/arch: amd64}
NODE
  local now
  now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  KUBECTL patch node "$NODE_NAME" --subresource=status --type=merge -p "$(jq -cn --arg now "$now" '{
    status: {
      capacity: {cpu: "16", memory: "64Gi", pods: "250", "ephemeral-storage": "200Gi"},
      allocatable: {cpu: "16", memory: "64Gi", pods: "250", "ephemeral-storage": "200Gi"},
      conditions: [{type: "Ready", status: "True", reason: "KubeletReady", message: "fake node",
                    lastHeartbeatTime: $now, lastTransitionTime: $now}],
      nodeInfo: {architecture: "amd64", operatingSystem: "linux", kubeletVersion: "v1.20.2",
                 kubeProxyVersion: "v1.20.2", containerRuntimeVersion: "fake://1",
                 osImage: "fake", kernelVersion: "0", machineID: "fake", systemUUID: "fake",
                 bootID: "fake"}}}')" >/dev/null
  # The taint controller may re-add the taint right after creation: remove until it stays gone.
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    KUBECTL taint node "$NODE_NAME" node.kubernetes.io/not-ready- >/dev/null 2>&1 || true
    sleep 0.5
    KUBECTL get node "$NODE_NAME" -o jsonpath='{.spec.taints}' | grep -q not-ready || break
  done
  KUBECTL get node "$NODE_NAME" -o jsonpath='{.spec.taints}' | grep -q not-ready \
    && die "the not-ready taint keeps coming back on $NODE_NAME"
  log "node $NODE_NAME registered (Ready, untainted)"
}

cmd_start() {
  have_binaries || die "no binaries in $BIN: run '$0 build' first"
  apt_install etcd-server openssl jq
  ensure_kubectl
  mkdir -p "$RUN"
  make_credentials
  start_daemon etcd /usr/bin/etcd --name local --data-dir "$RUN/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls "" \
    --quota-backend-bytes 1073741824 --log-level warn
  start_daemon kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --tls-cert-file "$RUN/pki/apiserver.crt" --tls-private-key-file "$RUN/pki/apiserver.key" \
    --token-auth-file "$RUN/pki/tokens.csv" --authorization-mode AlwaysAllow \
    --service-account-key-file "$RUN/pki/sa.pub" --service-account-signing-key-file "$RUN/pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-cluster-ip-range 10.96.0.0/16 --allow-privileged \
    --cert-dir "$RUN/pki" --profiling=false
  wait_for 60 kube-apiserver api_ready
  start_daemon kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$RUN/kubeconfig" --authentication-kubeconfig "$RUN/kubeconfig" \
    --authorization-kubeconfig "$RUN/kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --port 0 --cert-dir "$RUN/pki/kcm" \
    --service-account-private-key-file "$RUN/pki/sa.key" --root-ca-file "$RUN/pki/apiserver.crt" \
    --use-service-account-credentials=false --leader-elect=false \
    --controllers '*,-nodelifecycle,-nodeipam,-cloud-node-lifecycle,-route,-service' --profiling=false
  start_daemon kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig "$RUN/kubeconfig" --authentication-kubeconfig "$RUN/kubeconfig" \
    --authorization-kubeconfig "$RUN/kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --port 0 --cert-dir "$RUN/pki/sched" \
    --leader-elect=false --profiling=false
  wait_for 60 "default service account" default_sa_exists
  register_node
  echo "$RUN/kubeconfig"
}

cmd_stop() {
  local name pid i
  for name in kube-scheduler kube-controller-manager kube-apiserver etcd; do
    [ -f "$RUN/$name.pid" ] || continue
    pid="$(cat "$RUN/$name.pid")"
    if pid_alive "$name"; then
      kill "$pid"
      for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      log "$name stopped (pid $pid)"
    fi
    rm -f "$RUN/$name.pid"
  done
}

cmd_status() {
  local name rc=0
  for name in etcd kube-apiserver kube-controller-manager kube-scheduler; do
    if pid_alive "$name"; then echo "$name: running (pid $(cat "$RUN/$name.pid"))"
    else echo "$name: stopped"; rc=1; fi
  done
  if [ -f "$RUN/kubeconfig" ] && api_ready; then echo "api: ready at https://127.0.0.1:$API_PORT (KUBECONFIG=$RUN/kubeconfig)"
  else echo "api: not answering"; rc=1; fi
  have_binaries && echo "binaries: $BIN" || echo "binaries: not built"
  return "$rc"
}

# Removes the run state (etcd data, credentials) so the next start is a fresh cluster.
cmd_reset() { cmd_stop; rm -rf "$RUN"; log "run state removed"; }

case "${1:-}" in
  build) cmd_build ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  env) echo "export KUBECONFIG=$RUN/kubeconfig" ;;
  *) echo "usage: $0 build|start|stop|status|reset|env" >&2; exit 2 ;;
esac
