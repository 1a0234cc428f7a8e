# The local node (sourced by kube-local.sh): containerd (CRI) with runc, the CNI bridge with
# host-local IPAM, the kubelet (cgroupfs) and kube-proxy (iptables), and dnsmasq serving the
# cluster zone, all on one address of this machine. Facts behind each setting:
# ../shared/docs/KUBELET-TRIAL.md.
#
# Host state it changes, and `node_restore_host` puts back: two bridges (NODE_LINK holding the node
# address, CNI_LINK made by the bridge plugin), sysctls (ip_forward here; the kubelet's
# vm.overcommit_memory / kernel.panic*; kube-proxy's route_localnet), the nftables ruleset,
# and fixed host paths the kubelet, containerd and libcni write whatever their root dirs
# (removed when they did not exist before).
# shellcheck shell=bash

NODE_IP="${KUBE_LOCAL_NODE_IP:-10.250.0.1}"
NODE_LINK=ck8s0
CNI_LINK=ck8s-cni0
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
NODE_DIR="$RUN/node"
CONTAINERD_SOCK="$NODE_DIR/containerd.sock"
NODE_PACKAGES=(containerd runc containernetworking-plugins iptables nftables conntrack dnsmasq-base iproute2 util-linux)
NODE_SYSCTLS=(net.ipv4.ip_forward vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.conf.all.route_localnet)
HOST_PATHS=(/var/lib/kubelet /var/log/pods /var/log/containers /var/lib/cni /var/run/netns /run/containerd /usr/libexec/kubernetes)

CTR() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

# node_snapshot: what the node will change, saved once per start (a start after a crash
# keeps the first snapshot, which still holds the state from before the node).
node_snapshot() {
  [ -f "$NODE_DIR/host.saved" ] && return 0
  local s p
  for s in "${NODE_SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")"; done >"$NODE_DIR/sysctl.before"
  for p in "${HOST_PATHS[@]}"; do [ -e "$p" ] && echo "$p"; done >"$NODE_DIR/host-paths.before"
  nft list ruleset >"$NODE_DIR/nft.before"
  : >"$NODE_DIR/host.saved"
}

node_network() {
  if ! ip link show "$NODE_LINK" >/dev/null 2>&1; then
    # No `dummy` links in this kernel: an empty bridge holds the node address.
    ip link add "$NODE_LINK" type bridge
  fi
  ip link set "$NODE_LINK" up
  # Not `ip | grep -q`: under pipefail grep's early exit can fail the pipeline (SIGPIPE).
  local addrs
  addrs="$(ip -4 -o addr show dev "$NODE_LINK")"
  [[ "$addrs" == *" $NODE_IP/"* ]] || ip addr add "$NODE_IP/32" dev "$NODE_LINK"
  sysctl -qw net.ipv4.ip_forward=1
}

node_configs() {
  mkdir -p "$NODE_DIR"/{cni/net.d,cni/ipam,kubelet/root,kubelet/pki,kubelet/volume-plugins,containerd,dns}
  cat >"$NODE_DIR/containerd.toml" <<EOF
version = 2
root = "$NODE_DIR/containerd/root"
state = "$NODE_DIR/containerd/state"
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  # Pre-imported (images.sh): nothing can be pulled.
  sandbox_image = "$(image_ref pause)"
  # Root here lacks CAP_SYS_RESOURCE: without this no sandbox starts.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$NODE_DIR/cni/net.d"
EOF
  cat >"$NODE_DIR/cni/net.d/10-kube-local.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "kube-local", "plugins": [
  {"type": "bridge", "bridge": "$CNI_LINK", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "dataDir": "$NODE_DIR/cni/ipam",
            "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
EOF
  cat >"$NODE_DIR/kubelet/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
healthzBindAddress: $NODE_IP
readOnlyPort: 0
cgroupDriver: cgroupfs
failSwapOn: false
clusterDNS: [$NODE_IP]
clusterDomain: cluster.local
resolvConf: ""
authentication: {anonymous: {enabled: true}, webhook: {enabled: false}}
authorization: {mode: AlwaysAllow}
hairpinMode: hairpin-veth
# The images cannot be pulled again: no image garbage collection.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
# The disk is shared with builds: evict only when it is really full.
evictionHard: {nodefs.available: "1%", imagefs.available: "1%", memory.available: "100Mi"}
nodeStatusUpdateFrequency: 4s
volumePluginDir: $NODE_DIR/kubelet/volume-plugins
EOF
  cat >"$NODE_DIR/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
healthzBindAddress: $NODE_IP:10256
metricsBindAddress: $NODE_IP:10249
clientConnection: {kubeconfig: $RUN/kubeconfig}
# Leave the host's nf_conntrack_max alone.
conntrack: {maxPerCore: 0, min: 0}
EOF
}

node_ready() {
  KUBECTL get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True \
    && ! KUBECTL get node "$NODE_NAME" -o jsonpath='{.spec.taints}' | grep -q not-ready
}

containerd_ready() { CTR version >/dev/null 2>&1; }

# node_prepare: before etcd and the API server start: the node's packages (the snapshot
# needs `nft`, which a fresh Debian lacks), the snapshot of the host state, the node address.
node_prepare() {
  apt_install "${NODE_PACKAGES[@]}"
  mkdir -p "$NODE_DIR"
  node_snapshot
  node_network
}

# node_start: after the control plane is up (node_prepare ran first).
node_start() {
  node_configs
  images_build
  start_daemon containerd /usr/bin/containerd --config "$NODE_DIR/containerd.toml"
  wait_for 30 containerd containerd_ready
  images_import "$CONTAINERD_SOCK" "$NODE_DIR/containerd/imported"
  start_daemon dnsmasq /usr/sbin/dnsmasq --keep-in-foreground --conf-file=/dev/null --pid-file= \
    --listen-address="$NODE_IP" --bind-interfaces --no-resolv --no-hosts --user=root \
    --addn-hosts="$NODE_DIR/dns/hosts" --local=/cluster.local/ --domain-needed --log-facility=-
  touch "$NODE_DIR/dns/hosts"
  start_daemon dns-sync bash "$ROOT/scripts/lib/dns-sync.sh" "$RUN/kubeconfig" "$NODE_DIR/dns/hosts" "$RUN/dnsmasq.pid"
  start_daemon kubelet "$BIN/kubelet" --config "$NODE_DIR/kubelet/config.yaml" --kubeconfig "$RUN/kubeconfig" \
    --container-runtime=remote --container-runtime-endpoint="unix://$CONTAINERD_SOCK" \
    --runtime-request-timeout=5m --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" \
    --root-dir="$NODE_DIR/kubelet/root" --cert-dir="$NODE_DIR/kubelet/pki" --v=1
  start_daemon kube-proxy "$BIN/kube-proxy" --config "$NODE_DIR/kube-proxy.yaml"
  wait_for 90 "node $NODE_NAME" node_ready
  # A previous stop cordoned the node so that its pods could be drained.
  KUBECTL uncordon "$NODE_NAME" >/dev/null
  log "node $NODE_NAME Ready"
}

# node_drain: delete every pod of the node through the API while the kubelet runs, so that
# it unmounts their volumes and the CNI plugin frees their addresses (cordoned first, so the
# controllers' replacements stay Pending instead of landing here again).
node_drain() {
  pid_alive kubelet && api_ready || return 0
  KUBECTL cordon "$NODE_NAME" >/dev/null 2>&1 || return 0
  KUBECTL delete pods --all-namespaces --field-selector "spec.nodeName=$NODE_NAME" \
    --grace-period=1 --wait=false >/dev/null 2>&1 || true
  local i
  for ((i = 0; i < 120; i++)); do
    [ -z "$(KUBECTL get pods -A --field-selector "spec.nodeName=$NODE_NAME" -o name 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  log "warning: pods left on $NODE_NAME after 60s; removing their containers directly"
}

# stop_pid NAME: SIGTERM, then SIGKILL after 10 s; a zombie counts as exited (PID 1 here
# reaps orphans only every few seconds).
stop_pid() {
  local name="$1" pid i
  [ -f "$RUN/$name.pid" ] || return 0
  pid="$(cat "$RUN/$name.pid")"
  if pid_alive "$name"; then
    kill "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do
      { kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; } || break
      sleep 0.25
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    log "$name stopped (pid $pid)"
  fi
  rm -f "$RUN/$name.pid"
}

# Containers still running (none after a drain): kill their tasks, remove them.
node_remove_containers() {
  containerd_ready || return 0
  local id
  for id in $(CTR tasks ls -q 2>/dev/null); do CTR tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
  sleep 0.5
  for id in $(CTR containers ls -q 2>/dev/null); do
    CTR tasks delete -f "$id" >/dev/null 2>&1 || true
    CTR containers delete "$id" >/dev/null 2>&1 || true
  done
}

# The containerd shims of this node (they outlive containerd by design): by their -address.
node_kill_shims() {
  local p
  for p in /proc/[0-9]*; do
    tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "containerd-shim.* -address $CONTAINERD_SOCK" \
      && kill -9 "${p#/proc/}" 2>/dev/null
  done
  return 0
}

node_restore_host() {
  local m s p
  # Mounts left under the node's dirs (secret tmpfs, overlay roots, netns) when pods were
  # not drained.
  for m in $(findmnt -rn -o TARGET | grep -E "^($NODE_DIR|/run/netns/cni-|/var/run/netns/cni-|/run/containerd/)" | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  for p in /run/netns/cni-*; do [ -e "$p" ] && rm -f "$p"; done
  ip link del "$CNI_LINK" 2>/dev/null || true
  ip link del "$NODE_LINK" 2>/dev/null || true
  if [ -f "$NODE_DIR/host.saved" ]; then
    while IFS= read -r s; do sysctl -qw "$s" || true; done <"$NODE_DIR/sysctl.before"
    { echo "flush ruleset"; cat "$NODE_DIR/nft.before"; } | nft -f - || log "warning: could not restore the nftables ruleset"
    for p in "${HOST_PATHS[@]}"; do
      grep -qxF "$p" "$NODE_DIR/host-paths.before" || rm -rf "$p" || log "warning: could not remove $p"
    done
    rm -f "$NODE_DIR/host.saved"
  fi
}

# node_stop: the node's daemons and containers. The host state is put back by
# node_restore_host once the control plane has stopped too: kube-controller-manager
# recreated /usr/libexec/kubernetes/kubelet-plugins/volume/exec (its flex-volume probe)
# while it ran, which raced the removal of the host paths. It now probes "$RUN/flexvolume"
# (so a run without the node, which never puts the host back, leaves nothing there either).
node_stop() {
  [ -d "$NODE_DIR" ] || return 0
  node_drain
  stop_pid dns-sync
  stop_pid dnsmasq
  stop_pid kube-proxy
  [ -x "$BIN/kube-proxy" ] && "$BIN/kube-proxy" --cleanup >/dev/null 2>&1 || true
  stop_pid kubelet
  node_remove_containers
  stop_pid containerd
  node_kill_shims
}
