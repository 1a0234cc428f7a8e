#!/usr/bin/env bash
# Cluster DNS records for dnsmasq, kept in step with the API (started by kube-local.sh):
#   dns-sync.sh KUBECONFIG HOSTS_FILE DNSMASQ_PIDFILE
# Every second it reads all Services and Endpoints and writes one hosts line per record:
#   <clusterIP>      <svc>.<ns>.svc.cluster.local          (a Service with a cluster IP)
#   <ready pod IP>   <svc>.<ns>.svc.cluster.local          (a headless Service, one per pod)
#   <ready pod IP>   <hostname>.<svc>.<ns>.svc.cluster.local (a headless Service's pod with a
#                                                           hostname, e.g. a StatefulSet's)
# and sends SIGHUP to dnsmasq when the file changed. Short names (`db`, `db.ns`) resolve
# through the search list the kubelet writes into each pod's resolv.conf.
# Not done (CoreDNS does them): SRV records, pod A records (a-b-c-d.ns.pod), ExternalName
# CNAMEs, PTR records; a change is seen within about a second, not at once.
set -uo pipefail
kubeconfig="$1" hosts="$2" pidfile="$3"

records() {
  kubectl --kubeconfig "$kubeconfig" get services,endpoints --all-namespaces -o json 2>/dev/null | jq -r '
    (.items | map(select(.kind == "Endpoints")) | map({key: "\(.metadata.namespace)/\(.metadata.name)", value: .}) | from_entries) as $eps
    | .items[] | select(.kind == "Service") | .metadata as $m
    | "\($m.name).\($m.namespace).svc.cluster.local" as $fqdn
    | if (.spec.clusterIP // "None") != "None" then "\(.spec.clusterIP) \($fqdn)"
      else ($eps["\($m.namespace)/\($m.name)"].subsets // [])[] | (.addresses // [])[]
        | "\(.ip) \($fqdn)", (if .hostname then "\(.ip) \(.hostname).\($fqdn)" else empty end)
      end' | sort -u
}

while true; do
  if new="$(records)"; then
    if [ "$new" != "$(cat "$hosts" 2>/dev/null)" ]; then
      printf '%s\n' "$new" >"$hosts.tmp" && mv "$hosts.tmp" "$hosts"
      [ -f "$pidfile" ] && kill -HUP "$(cat "$pidfile")" 2>/dev/null
    fi
  fi
  sleep 1
done
