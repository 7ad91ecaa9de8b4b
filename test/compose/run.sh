#!/usr/bin/env bash
# The docker-compose cluster, for real: build the image, start 3 controllers,
# 3 brokers, the gateway and Prometheus from the root docker-compose.yml, use
# it from the host with kcat and HTTP, kill a broker, check the cluster
# carries on, tear down.
# Needs a Docker engine, so it is run by hand, not by `npm test`:
#
#   bash test/compose/run.sh            (from the repo root, as root on the dev machine)
#   KEEP=1 bash test/compose/run.sh     leave the stack running afterwards
#
# Exits non-zero at the first failed step, after printing the services' logs.
# test/compose/README.md describes every step and what this machine lacks.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
offline_tool="$repo/../shared/tools/docker-offline.sh"
# shellcheck source=/dev/null
[ -f "$repo/../shared/tools/use-node.sh" ] && source "$repo/../shared/tools/use-node.sh" >/dev/null

project=runnel-compose-test
topic=compose-rf3
records=1000
export RUNNEL_IMAGE=${RUNNEL_IMAGE:-runnel:dev}
compose=(docker-compose -p "$project" -f "$repo/docker-compose.yml")
# Grafana has no local stand-in image on an offline machine; everything else runs.
services=(controller-1 controller-2 controller-3 broker-1 broker-2 broker-3 gateway prometheus)
bootstrap=127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094
work=$(mktemp -d)

started=$(date +%s)
step_started=$started
step() {
  local now
  now=$(date +%s)
  echo "   ($((now - step_started)) s)"
  step_started=$now
  echo "== $*"
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# Polls a command until it succeeds or the deadline (seconds) passes.
wait_for() {
  local deadline=$(($(date +%s) + $1)) what=$2
  shift 2
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "$what: not true after the deadline"
    sleep 1
  done
}

stack_up=0
cleanup() {
  local rc=$?
  if [ "$stack_up" = 1 ]; then
    if [ "$rc" != 0 ]; then
      echo "--- service logs (last 30 lines each)" >&2
      "${compose[@]}" logs --no-color --tail 30 >&2 || true
    fi
    if [ "${KEEP:-0}" = 1 ]; then
      echo "KEEP=1: stack left running; stop it with: ${compose[*]} down -v"
    else
      "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || echo "warning: docker-compose down failed" >&2
    fi
  fi
  rm -rf "$work"
  echo "total $(($(date +%s) - started)) s, exit $rc"
}
trap cleanup EXIT

echo "== tools"
command -v kcat >/dev/null || { apt-get update -qq && apt-get install -y -qq kcat >/dev/null; }
offline=0
if [ -f "$offline_tool" ]; then offline=1; fi
if ! docker info >/dev/null 2>&1; then
  [ "$offline" = 1 ] || fail "no Docker engine answers and $offline_tool is not here to start one"
  bash "$offline_tool" start
fi
command -v docker-compose >/dev/null || fail "docker-compose (v1) is not installed"

step "validate docker-compose.yml with every Compose available"
"${compose[@]}" config -q
echo "   docker-compose $(docker-compose version --short): accepted"
if docker compose version >/dev/null 2>&1; then
  docker compose -p "$project" -f docker-compose.yml config -q
  echo "   docker compose $(docker compose version --short): accepted"
else
  echo "   docker compose v2: not installed here, not checked"
fi

step "base images"
node_image=node:24-bookworm-slim
if [ "$offline" = 1 ]; then
  # No registry here: docker-offline.sh builds a stand-in for the Node image.
  # Two gaps of that stand-in are closed once (the marker label says so): its
  # root directory is mode 0700, so the image's non-root user could not reach
  # node, and it lacks librt.so.1, which the snappy and lz4 prebuilt binaries
  # link to (the official image has both right).
  if ! docker image inspect "$node_image" >/dev/null 2>&1; then bash "$offline_tool" base "$node_image"; fi
  if [ "$(docker image inspect -f '{{index .Config.Labels "runnel.standin-completed"}}' "$node_image")" != 1 ]; then
    printf 'FROM %s\nCOPY librt.so.1 /lib/x86_64-linux-gnu/librt.so.1\n' "$node_image" >"$work/Dockerfile"
    cp -L /lib/x86_64-linux-gnu/librt.so.1 "$work/"
    docker build -q -t runnel-standin-tmp "$work" >/dev/null
    cid=$(docker create runnel-standin-tmp)
    # export | import rewrites the root directory with ordinary permissions.
    docker export "$cid" | docker import \
      -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
      -c 'LABEL runnel.standin-completed=1' -c 'CMD ["node"]' - "$node_image" >/dev/null
    docker rm "$cid" >/dev/null
    docker image rm runnel-standin-tmp >/dev/null
    rm -f "$work/Dockerfile" "$work/librt.so.1"
  fi
  # Prometheus from Debian's package (a static-enough Go binary: libc only),
  # in place of prom/prometheus, which cannot be pulled here.
  if ! docker image inspect runnel-local/prometheus:debian >/dev/null 2>&1; then
    command -v prometheus >/dev/null || { apt-get update -qq && apt-get install -y -qq prometheus >/dev/null; }
    mkdir -p "$work/prometheus"
    cp -L "$(command -v prometheus)" "$work/prometheus/prometheus"
    cat >"$work/prometheus/Dockerfile" <<EOF
FROM $node_image
COPY prometheus /bin/prometheus
RUN mkdir -p /prometheus && chown 65534:65534 /prometheus
USER 65534
WORKDIR /prometheus
ENTRYPOINT ["/bin/prometheus"]
EOF
    docker build -q -t runnel-local/prometheus:debian "$work/prometheus" >/dev/null
  fi
  export PROMETHEUS_IMAGE=runnel-local/prometheus:debian
fi

step "build $RUNNEL_IMAGE from deploy/Dockerfile"
docker build --network host -q -f deploy/Dockerfile -t "$RUNNEL_IMAGE" . >/dev/null
echo "   $(docker image inspect -f '{{.Size}}' "$RUNNEL_IMAGE") bytes; user $(docker image inspect -f '{{.Config.User}}' "$RUNNEL_IMAGE")"

step "docker-compose up -d ${services[*]}"
"${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true
stack_up=1
"${compose[@]}" up -d --no-build "${services[@]}"

step "wait until every Runnel container reports healthy (the gateway: /readyz)"
all_healthy() {
  local s id status
  for s in controller-1 controller-2 controller-3 broker-1 broker-2 broker-3 gateway; do
    id=$("${compose[@]}" ps -q "$s")
    [ -n "$id" ] || return 1
    status=$(docker inspect -f '{{.State.Health.Status}}' "$id")
    [ "$status" = healthy ] || return 1
  done
}
wait_for 180 "all seven Runnel containers healthy" all_healthy

step "the gateway answers on 127.0.0.1:8081: {} at /, ready, Confluent's 404 body"
registry_get() { node -e "fetch('http://127.0.0.1:8081'+process.argv[1]).then(async r=>process.stdout.write(r.status+' '+(await r.text()).trim()),()=>process.exit(1))" "$1"; }
[ "$(registry_get /)" = '200 {}' ] || fail "GET / answered $(registry_get /)"
[ "$(registry_get /readyz)" = '200 ready' ] || fail "GET /readyz answered $(registry_get /readyz)"
[ "$(registry_get /nope)" = '404 {"error_code":404,"message":"HTTP 404 Not Found"}' ] || fail "GET /nope answered $(registry_get /nope)"
echo "   /, /readyz and an unknown path answer as expected"

step "nothing listens beyond what the file promises: 8081 on loopback, the gateway's 9644 on the bridge address"
# The gateway shares the host's network, so its sockets are the host's: the
# registry must be on 127.0.0.1 only (as the old 127.0.0.1:8081 publish was)
# and the metrics port on the host-gateway address only, never a wildcard.
gateway_id=$("${compose[@]}" ps -q gateway)
bridge_host=$(docker exec "$gateway_id" node -e "require('node:dns').lookup('host.docker.internal',{family:4},(e,a)=>e?process.exit(1):process.stdout.write(a))") ||
  fail "host.docker.internal does not resolve in the gateway container"
listeners() { ss -Hltn "sport = :$1" | awk '{print $4}' | sort -u | tr '\n' ' '; }
for wildcard in "0.0.0.0:8081" "*:8081" "[::]:8081" "0.0.0.0:9644" "*:9644" "[::]:9644"; do
  case " $(listeners 8081)$(listeners 9644)" in *" $wildcard "*) fail "something listens on $wildcard" ;; esac
done
case " $(listeners 8081)" in *" 127.0.0.1:8081 "*) ;; *) fail "no listener on 127.0.0.1:8081 (have: $(listeners 8081))" ;; esac
case " $(listeners 9644)" in *" $bridge_host:9644 "*) ;; *) fail "no listener on $bridge_host:9644 (have: $(listeners 9644))" ;; esac
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$bridge_host:9644/subjects")" = 404 ] ||
  fail "the gateway's metrics port serves the registry API"
echo "   8081: $(listeners 8081)  9644: $(listeners 9644)(host-gateway is $bridge_host; no registry API there)"

step "register an Avro schema through the gateway with curl and read it back by id"
subject=compose-users-value
avro_schema='{"type":"record","name":"User","namespace":"compose.test","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"}]}'
registry_json=application/vnd.schemaregistry.v1+json
registered=$(curl -sS -X POST -H "Content-Type: $registry_json" \
  --data "$(node -e 'process.stdout.write(JSON.stringify({schema: process.argv[1]}))' "$avro_schema")" \
  "http://127.0.0.1:8081/subjects/$subject/versions") || fail "POST /subjects/$subject/versions failed"
schema_id=$(node -e 'const b=JSON.parse(process.argv[1]); if (!Number.isInteger(b.id)) process.exit(1); process.stdout.write(String(b.id))' "$registered") ||
  fail "POST /subjects/$subject/versions answered $registered"
# The schema read back must be the one registered (compared as JSON: the
# registry may print its own canonical spacing).
same_schema() {
  node -e '
    const { isDeepStrictEqual } = require("node:util");
    const body = JSON.parse(process.argv[1]);
    if (!isDeepStrictEqual(JSON.parse(body.schema), JSON.parse(process.argv[2]))) process.exit(1);
    if (process.argv[3] && String(body.id) !== process.argv[3]) process.exit(1);' "$@"
}
by_id=$(curl -sS "http://127.0.0.1:8081/schemas/ids/$schema_id")
same_schema "$by_id" "$avro_schema" || fail "GET /schemas/ids/$schema_id answered $by_id"
latest=$(curl -sS "http://127.0.0.1:8081/subjects/$subject/versions/latest")
same_schema "$latest" "$avro_schema" "$schema_id" || fail "GET /subjects/$subject/versions/latest answered $latest"
echo "   registered id $schema_id; /schemas/ids/$schema_id and /subjects/$subject/versions/latest give it back"

step "kcat -L from the host shows 3 brokers"
broker_count() { kcat -b "$bootstrap" -m 5 -L 2>/dev/null | grep -c '^  broker [0-9]* at' || true; }
three_brokers() { [ "$(broker_count)" = 3 ]; }
wait_for 60 "kcat -L lists 3 brokers" three_brokers
kcat -b "$bootstrap" -m 5 -L | sed -n '/brokers:/,/topics:/p' | sed 's/^/   /'

step "create $topic (3 partitions, RF 3) and check its replicas"
# With the image's own CLI, so the host needs no npm ci; inside broker-1,
# 127.0.0.1:19092 is broker-1 itself, the address it advertises.
"${compose[@]}" exec -T broker-1 node packages/cli/src/main.ts topics create "$topic" \
  --partitions 3 --replication-factor 3 --bootstrap-server 127.0.0.1:19092
rf3() {
  local meta
  meta=$(kcat -b "$bootstrap" -m 5 -L -t "$topic" 2>/dev/null) || return 1
  [ "$(grep -c 'partition [0-9]*, leader [0-9]*, replicas: [0-9]*,[0-9]*,[0-9]*, isrs: [0-9]*,[0-9]*,[0-9]*' <<<"$meta")" = 3 ]
}
wait_for 60 "$topic: 3 partitions, each with 3 replicas in sync" rf3

# Produces keys k<from>..k<to> with acks=all, then consumes the whole topic
# and checks that it holds exactly keys k1..k<to>, each once, value intact.
produce_and_check() {
  local from=$1 to=$2
  seq "$from" "$to" | awk '{print "k" $1 ":value-" $1}' >"$work/batch"
  timeout 180 kcat -b "$bootstrap" -P -t "$topic" -K: -X acks=all -X message.timeout.ms=120000 -l "$work/batch" ||
    fail "kcat -P of keys $from..$to did not finish"
  seq 1 "$to" | awk '{print "k" $1 ":value-" $1}' | sort >"$work/expected"
  timeout 120 kcat -b "$bootstrap" -C -t "$topic" -o beginning -e -q -f '%k:%s\n' | sort >"$work/got" ||
    fail "kcat -C did not finish"
  if ! cmp -s "$work/expected" "$work/got"; then
    diff "$work/expected" "$work/got" | head -20 >&2
    fail "consumed records differ from produced ones (got $(wc -l <"$work/got"), want $to)"
  fi
  echo "   consumed $to records: every key once, values intact"
}

step "kcat produce $records records (acks=all) and consume them from the host"
produce_and_check 1 "$records"

step "Avro records through the registry: the image's CLI on the host's network produces and consumes them"
# In the gateway's container, which shares the host's network: the CLI finds
# the brokers at 127.0.0.1:19092 and the registry at 127.0.0.1:8081, as a
# client on the host would.
avro_topic=compose-avro
printf '{"name":"ada","age":36}\n{"name":"alan","age":41}\n' >"$work/avro-in"
"${compose[@]}" exec -T gateway node packages/cli/src/main.ts produce "$avro_topic" \
  --bootstrap-server "$bootstrap" --value-format avro --value-schema-id "$schema_id" <"$work/avro-in" >/dev/null
"${compose[@]}" exec -T gateway node packages/cli/src/main.ts consume "$avro_topic" \
  --bootstrap-server "$bootstrap" --value-format avro --from-beginning --exit-at-end >"$work/avro-out"
node -e '
  const { readFileSync } = require("node:fs");
  const { isDeepStrictEqual } = require("node:util");
  const lines = (f) => readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  process.exit(isDeepStrictEqual(lines(process.argv[1]), lines(process.argv[2])) ? 0 : 1);' "$work/avro-in" "$work/avro-out" ||
  fail "consumed Avro values differ: $(cat "$work/avro-out")"
echo "   2 Avro records (schema id $schema_id) written and read back decoded"

step "Prometheus: every target up, runnel-gateway among them"
targets_json() { node -e "fetch('http://127.0.0.1:9090/api/v1/targets').then(r=>r.text()).then(t=>process.stdout.write(t),()=>process.exit(1))"; }
# Prints "<up> <total>" and the targets that are not up.
targets_summary() {
  targets_json | node -e "
    let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{
      const t=JSON.parse(s).data.activeTargets;
      const up=t.filter(x=>x.health==='up');
      console.log(up.length+' '+t.length);
      for (const x of t) if (x.health!=='up') console.log('   down: '+x.labels.job+' '+x.scrapeUrl+' '+x.lastError);
    })"
}
all_targets_up() {
  local summary
  summary=$(targets_summary 2>/dev/null) || return 1
  read -r up total <<<"$(head -1 <<<"$summary")"
  # 3 controllers + 3 brokers + the gateway + Prometheus itself
  [ "$total" -ge 8 ] && [ "$up" = "$total" ]
}
wait_for 90 "every Prometheus target up" all_targets_up
gateway_target_up() {
  targets_json | node -e "
    let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{
      const t=JSON.parse(s).data.activeTargets.filter(x=>x.labels.job==='runnel-gateway');
      process.exit(t.length===1&&t[0].health==='up'&&t[0].scrapeUrl==='http://host.docker.internal:9644/metrics'?0:1);
    })"
}
gateway_target_up || fail "Prometheus has no healthy runnel-gateway target at host.docker.internal:9644"
# The scrape carried the gateway's own metrics, not just an `up` sample.
gateway_metric() {
  node -e "fetch('http://127.0.0.1:9090/api/v1/query?query='+encodeURIComponent('count(runnel_gateway_http_requests_total{job=\"runnel-gateway\"})')).then(r=>r.json()).then(b=>process.exit(b.data.result.length===1?0:1),()=>process.exit(1))"
}
wait_for 60 "Prometheus holds runnel_gateway_http_requests_total from the gateway" gateway_metric
targets_json | node -e "
  let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{
    for (const x of JSON.parse(s).data.activeTargets) console.log('   '+x.health+' '+x.labels.job+' '+x.scrapeUrl);
  })"

step "docker kill the leader of $topic partition 0"
leader=$(kcat -b "$bootstrap" -m 5 -L -t "$topic" | sed -n 's/.*partition 0, leader \([0-9]*\),.*/\1/p')
[ -n "$leader" ] || fail "no leader for partition 0"
victim=$("${compose[@]}" ps -q "broker-$leader")
docker kill "$victim" >/dev/null
echo "   killed broker-$leader"
[ "$(docker inspect -f '{{.State.Running}}' "$victim")" = false ] || fail "broker-$leader still running after docker kill"
two_brokers() { [ "$(broker_count)" = 2 ]; }
wait_for 60 "metadata drops the killed broker" two_brokers
moved() {
  local now
  now=$(kcat -b "$bootstrap" -m 5 -L -t "$topic" 2>/dev/null | sed -n 's/.*partition 0, leader \([0-9]*\),.*/\1/p')
  [ -n "$now" ] && [ "$now" != "$leader" ]
}
wait_for 60 "partition 0 gets a new leader" moved
echo "   partition 0 now led by broker $(kcat -b "$bootstrap" -m 5 -L -t "$topic" | sed -n 's/.*partition 0, leader \([0-9]*\),.*/\1/p')"

step "with broker-$leader down: produce $records more (acks=all) and consume all $((2 * records))"
produce_and_check $((records + 1)) $((2 * records))
[ "$(docker inspect -f '{{.State.Running}}' "$victim")" = false ] || fail "broker-$leader came back during the check"

step "with broker-$leader down: the registry reads id $schema_id and registers version 2"
by_id=$(curl -sS "http://127.0.0.1:8081/schemas/ids/$schema_id")
same_schema "$by_id" "$avro_schema" || fail "GET /schemas/ids/$schema_id answered $by_id"
# A compatible change (a field with a default): it is written to _schemas
# with acks=all, which 2 of 3 replicas satisfy, after any leader move.
avro_schema_v2='{"type":"record","name":"User","namespace":"compose.test","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"},{"name":"email","type":"string","default":""}]}'
register_v2() {
  local body
  body=$(curl -sS -X POST -H "Content-Type: $registry_json" \
    --data "$(node -e 'process.stdout.write(JSON.stringify({schema: process.argv[1]}))' "$avro_schema_v2")" \
    "http://127.0.0.1:8081/subjects/$subject/versions") || return 1
  node -e 'process.exit(Number.isInteger(JSON.parse(process.argv[1]).id) ? 0 : 1)' "$body"
}
wait_for 60 "registering version 2 of $subject with a broker down" register_v2
[ "$(curl -sS "http://127.0.0.1:8081/subjects/$subject/versions")" = '[1,2]' ] ||
  fail "GET /subjects/$subject/versions answered $(curl -sS "http://127.0.0.1:8081/subjects/$subject/versions")"
echo "   id $schema_id still served; $subject now has versions [1,2]"

step "docker-compose down -v"
"${compose[@]}" down -v --remove-orphans
stack_up=0
echo "PASS"
