#!/usr/bin/env bash
# A local single-node Kubernetes cluster (1.20, built from Debian bookworm's `kubernetes`
# source package): Debian's etcd, API server, controller-manager, scheduler, and a real node
# (containerd + runc, CNI bridge, kubelet, kube-proxy, dnsmasq as cluster DNS) whose pods run
# images built from Debian's packages (scripts/lib/node.sh, scripts/lib/images.sh).
#
#   scripts/kube-local.sh build    build the binaries once per machine (~14 min, ~3 GB) and
#                                  the node's images (~1 min)
#   scripts/kube-local.sh start    start everything (building first when needed); prints
#                                  the kubeconfig path
#   scripts/kube-local.sh stop     stop only the processes `start` started (by PID), after
#                                  draining the node's pods; puts the host state back
#   scripts/kube-local.sh status   show what runs and whether the API answers
#   scripts/kube-local.sh reset    stop, then remove the run state (a fresh cluster next start)
#   scripts/kube-local.sh env      print `export KUBECONFIG=...`
#
# KUBE_LOCAL_NODE=fake starts no node: a fake Ready Node object instead, on which pods are
# scheduled but never run (no root network changes; what the dry-run tests need).
# The node needs root (network links, sysctls, nftables, mounts) and takes 10.250.0.1 (the
# node and API address, on a bridge of its own) and 10.244.0.0/24 (pods): one node a machine.
#
# Binaries live in $COOLIFY_K8S_CACHE (default ~/.cache/coolify-k8s/bin), images in its
# images/; run state (PIDs, certificates, etcd data, containerd root, logs, kubeconfig) in
# $KUBE_LOCAL_RUN (default $COOLIFY_K8S_CACHE/run). Recipe and its one fix (Debian's reflect2
# 1.0.2 replaces the vendored 1.0.1, which crashes under Go >= 1.18):
# ../shared/docs/TOOLCHAIN.md.
set -euo pipefail

CACHE="${COOLIFY_K8S_CACHE:-$HOME/.cache/coolify-k8s}"
BIN="$CACHE/bin"
RUN="${KUBE_LOCAL_RUN:-$CACHE/run}"
SRC="$CACHE/src"
# Ports: not the defaults (6443, 2379) so a real cluster tool on this machine is not disturbed.
API_PORT="${KUBE_LOCAL_API_PORT:-16443}"
ETCD_PORT="${KUBE_LOCAL_ETCD_PORT:-12379}"
ETCD_PEER_PORT="$((ETCD_PORT + 1))"
KCM_PORT="${KUBE_LOCAL_KCM_PORT:-10257}"
SCHED_PORT="${KUBE_LOCAL_SCHED_PORT:-10259}"
NODE_MODE="${KUBE_LOCAL_NODE:-real}"
case "$NODE_MODE" in
  real) NODE_NAME="kube-local-node" ;;
  fake) NODE_NAME="fake-node" ;;
  *) echo "KUBE_LOCAL_NODE must be real or fake, not '$NODE_MODE'" >&2; exit 2 ;;
esac
CONTROL_PLANE=(kube-apiserver kube-controller-manager kube-scheduler)
NODE_COMPONENTS=(kubelet kube-proxy)
COMPONENTS=("${CONTROL_PLANE[@]}" "${NODE_COMPONENTS[@]}")

source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/images.sh"
source "$(dirname "$0")/lib/node.sh"

ensure_deb_src() {
  if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    log "adding a deb-src line for bookworm"
    local mirror
    mirror="$(debian_mirror)"
    as_root tee /etc/apt/sources.list.d/coolify-k8s-deb-src.sources >/dev/null <<SRC
Types: deb-src
URIs: $mirror
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt_get update -qq
  fi
}

missing_binaries() {
  local c
  for c in "${COMPONENTS[@]}"; do [ -x "$BIN/$c" ] || echo "$c"; done
}

have_binaries() { [ -z "$(missing_binaries)" ]; }

cmd_build() {
  if have_binaries; then log "binaries cached in $BIN"; images_build; return 0; fi
  local missing=() c what=""
  mapfile -t missing < <(missing_binaries)
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
  for c in "${missing[@]}"; do what+="cmd/$c "; done
  # Static builds (CGO off), the kubelet too: one Go build cache serves them all.
  log "building ${missing[*]} (several minutes)"
  (cd "$tree" && GOPROXY=off GOFLAGS=-mod=vendor CGO_ENABLED=0 GOTOOLCHAIN=local \
      make WHAT="$what" KUBE_BUILD_PLATFORMS=linux/amd64 >"$SRC/build.log" 2>&1) \
    || { tail -n 40 "$SRC/build.log" >&2; die "build failed (log: $SRC/build.log)"; }
  local out
  for c in "${missing[@]}"; do
    out="$(find "$tree/_output" -type f -name "$c" -perm -u+x | head -n1)"
    [ -n "$out" ] || die "built $c not found under $tree/_output"
    install -m 0755 "$out" "$BIN/$c"
  done
  # The source tree and build output (~3 GB) are only needed once.
  rm -rf "$SRC"
  log "binaries cached in $BIN: $("$BIN/kube-apiserver" --version)"
  images_build
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

# The API address: the node's (pods reach the API through the `kubernetes` Service, e.g.
# the translator's Job-wait init containers), or 127.0.0.1 without a node.
api_host() { if [ "$NODE_MODE" = real ]; then echo "$NODE_IP"; else echo 127.0.0.1; fi; }

make_credentials() {
  mkdir -p "$RUN/pki"
  # The serving certificate names every address the API is reached at (a run state from an
  # older script, made for 127.0.0.1 only, is renewed).
  if [ ! -f "$RUN/pki/sa.key" ] || [ ! -f "$RUN/pki/sans-$NODE_IP" ]; then
    (umask 077
     openssl genrsa -out "$RUN/pki/sa.key" 2048 2>/dev/null
     openssl rsa -in "$RUN/pki/sa.key" -pubout -out "$RUN/pki/sa.pub" 2>/dev/null
     openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=kube-local" \
       -addext "subjectAltName=IP:127.0.0.1,IP:$NODE_IP,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" \
       -keyout "$RUN/pki/apiserver.key" -out "$RUN/pki/apiserver.crt" 2>/dev/null
     printf '%s,admin,admin,system:masters\n' "$(openssl rand -hex 16)" >"$RUN/pki/tokens.csv"
     : >"$RUN/pki/sans-$NODE_IP")
  fi
  local token
  token="$(cut -d, -f1 "$RUN/pki/tokens.csv")"
  (umask 077
   cat >"$RUN/kubeconfig" <<KCFG
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://$(api_host):$API_PORT
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
  have_binaries || locked_build
  apt_install etcd-server openssl jq
  ensure_kubectl
  mkdir -p "$RUN"
  make_credentials
  if [ "$NODE_MODE" = real ]; then
    [ "$(id -u)" = 0 ] || die "the node needs root (KUBE_LOCAL_NODE=fake runs without one)"
    node_prepare
  fi
  start_daemon etcd /usr/bin/etcd --name local --data-dir "$RUN/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls "" \
    --quota-backend-bytes 1073741824 --log-level warn
  start_daemon kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address "$(api_host)" --advertise-address "$(api_host)" --secure-port "$API_PORT" \
    --tls-cert-file "$RUN/pki/apiserver.crt" --tls-private-key-file "$RUN/pki/apiserver.key" \
    --token-auth-file "$RUN/pki/tokens.csv" --authorization-mode AlwaysAllow \
    --service-account-key-file "$RUN/pki/sa.pub" --service-account-signing-key-file "$RUN/pki/sa.key" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-cluster-ip-range 10.96.0.0/16 --allow-privileged \
    --kubelet-preferred-address-types InternalIP,Hostname \
    --cert-dir "$RUN/pki" --profiling=false
  wait_for 60 kube-apiserver api_ready
  start_daemon kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig "$RUN/kubeconfig" --authentication-kubeconfig "$RUN/kubeconfig" \
    --authorization-kubeconfig "$RUN/kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --port 0 --cert-dir "$RUN/pki/kcm" \
    --service-account-private-key-file "$RUN/pki/sa.key" --root-ca-file "$RUN/pki/apiserver.crt" \
    --use-service-account-credentials=false --leader-elect=false \
    --flex-volume-plugin-dir "$RUN/flexvolume" \
    --controllers "$(controllers)" --profiling=false
  start_daemon kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig "$RUN/kubeconfig" --authentication-kubeconfig "$RUN/kubeconfig" \
    --authorization-kubeconfig "$RUN/kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --port 0 --cert-dir "$RUN/pki/sched" \
    --leader-elect=false --profiling=false
  wait_for 60 "default service account" default_sa_exists
  if [ "$NODE_MODE" = real ]; then
    remove_fake_node
    node_start
  else
    register_node
  fi
  echo "$RUN/kubeconfig"
}

# The node-lifecycle controller lifts a real node's not-ready taint; with the fake node it
# must stay off (nothing would keep the fake node's status fresh).
controllers() {
  if [ "$NODE_MODE" = real ]; then echo '*,-nodeipam,-cloud-node-lifecycle,-route,-service'
  else echo '*,-nodelifecycle,-nodeipam,-cloud-node-lifecycle,-route,-service'; fi
}

# A fake Node left in etcd by a run without the node goes, with its pods (they never ran).
remove_fake_node() {
  KUBECTL get node fake-node >/dev/null 2>&1 || return 0
  KUBECTL delete pods -A --field-selector spec.nodeName=fake-node --grace-period=0 --force >/dev/null 2>&1 || true
  KUBECTL delete node fake-node >/dev/null
  log "fake node removed"
}

cmd_stop() {
  node_stop
  local name
  for name in kube-scheduler kube-controller-manager kube-apiserver etcd; do stop_pid "$name"; done
  [ -d "$NODE_DIR" ] && node_restore_host
  return 0
}

cmd_status() {
  local name rc=0 names=(etcd kube-apiserver kube-controller-manager kube-scheduler)
  [ "$NODE_MODE" = real ] && names+=(containerd dnsmasq dns-sync kubelet kube-proxy)
  for name in "${names[@]}"; do
    if pid_alive "$name"; then echo "$name: running (pid $(cat "$RUN/$name.pid"))"
    else echo "$name: stopped"; rc=1; fi
  done
  if [ -f "$RUN/kubeconfig" ] && api_ready; then echo "api: ready at https://$(api_host):$API_PORT (KUBECONFIG=$RUN/kubeconfig)"
  else echo "api: not answering"; rc=1; fi
  have_binaries && echo "binaries: $BIN" || echo "binaries: not built"
  return "$rc"
}

# Removes the run state (etcd data, credentials) so the next start is a fresh cluster.
cmd_reset() { cmd_stop; rm -rf "$RUN"; log "run state removed"; }

# One build at a time per cache: CI starts one in the background (.ci/run) while the other
# phases run, and the e2e phase's own `build` then waits here and finds the binaries.
locked_build() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/build.lock"
  flock 9
  cmd_build
}

case "${1:-}" in
  build) locked_build ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  env) echo "export KUBECONFIG=$RUN/kubeconfig" ;;
  *) echo "usage: $0 build|start|stop|status|reset|env" >&2; exit 2 ;;
esac
