#!/bin/sh
# One-shot (admin-tools image): make sure the namespace exists and carries ssj's search attributes
# (workflows/search-attributes.ts: SsjYear Int, SsjQuarter Int, SsjDepartment KeywordList,
# SsjPhase Keyword). Idempotent: only what is missing is created.
set -eu
ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NS="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${SSJ_RETENTION:-400d}"

i=0
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -ge 60 ] && { echo "Temporal at $ADDRESS is not healthy"; exit 1; }
  echo "waiting for Temporal at $ADDRESS"; sleep 3
done

temporal operator namespace describe --address "$ADDRESS" --namespace "$NS" >/dev/null 2>&1 ||
  temporal operator namespace create --address "$ADDRESS" --namespace "$NS" --retention "$RETENTION"

existing=$(temporal operator search-attribute list --address "$ADDRESS" --namespace "$NS" 2>/dev/null || true)
for pair in SsjYear=Int SsjQuarter=Int SsjDepartment=KeywordList SsjPhase=Keyword; do
  name="${pair%%=*}"; type="${pair#*=}"
  if echo "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --address "$ADDRESS" --namespace "$NS" --name "$name" --type "$type"
  fi
done
echo "namespace $NS is ready"
