#!/usr/bin/env bash
# The load test (make bench): seeds a database at BENCH_SCALE (small, medium (default) or large),
# starts the built binary on it, logs in through the real login form as a client user and as the
# manager, runs wrk against the pages of issue 10 at 32 and 128 connections and against each
# page's floor (scripts/benchfloor: the same main SQL, rows as plain text, nothing else), reads
# the app's peak RSS, start-up time and the portal's first-load weight, and writes the figures
# and the query plans into BENCHMARKS.md, in the section of the scale (the rest of the file is
# kept).
#
#   BENCH_SCALE=large make bench
#   BENCH_DURATION=10s      wrk duration per run (default 10s)
#   BENCH_RESEED=1          drop the scale's database and seed it again (else it is reused)
#   BENCH_DATABASE_URL=…    use this (empty or already seeded) database instead of maintenant_bench_<scale>
set -euo pipefail
cd "$(dirname "$0")/.."

scale=${BENCH_SCALE:-medium}
duration=${BENCH_DURATION:-10s}
case "$scale" in small | medium | large) ;; *) echo "BENCH_SCALE must be small, medium or large" >&2; exit 2 ;; esac
port=${BENCH_PORT:-18080}
floor_port=$((port + 11))
base="http://127.0.0.1:$port"
floor="http://127.0.0.1:$floor_port"
work=.tmp/bench
mkdir -p "$work"
rm -f "$work"/*.jar

# wrk is a Debian package: installed when missing and run as root, else the exact command is said.
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing the Debian package wrk"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
  else
    echo "wrk is missing; install it with: sudo apt-get install wrk" >&2
    exit 1
  fi
fi

go build -o bin/benchfloor ./scripts/benchfloor

db_url=${BENCH_DATABASE_URL:-}
if [ -z "$db_url" ]; then
  name="maintenant_bench_$scale"
  [ "${BENCH_RESEED:-}" = 1 ] && bin/benchfloor -drop "$name"
  db_url=$(bin/benchfloor -ensure "$name")
fi
export DATABASE_URL="$db_url"

seed_note="reused (seeded earlier)"
if [ "$(bin/benchfloor -users)" = 0 ]; then
  echo "seeding scale $scale (this takes a while for large)"
  start=$(date +%s)
  go run ./cmd/maintenant seed --scale "$scale" | tee "$work/seed-$scale.log"
  seed_note="$(($(date +%s) - start)) s (\`maintenant seed --scale $scale\`, demo data included)"
  echo "$seed_note" >"$work/seed-$scale.time"
elif [ -f "$work/seed-$scale.time" ]; then
  seed_note="$(cat "$work/seed-$scale.time") (measured when it was seeded)"
fi

make -s build
bin/maintenant migrate up >/dev/null

export APP_ENV=dev LISTEN_ADDR="127.0.0.1:$port" BASE_URL="$base" DATA_DIR="$work/data" \
  SECRET_KEY=bench-secret-key-0123456789abcdef0123456789 SESSION_IDLE_STAFF=2h
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

t0=$(date +%s%N)
bin/maintenant serve >"$work/app.log" 2>&1 &
app_pid=$!
pids+=("$app_pid")
until curl -fs -o /dev/null "$base/readyz"; do
  kill -0 "$app_pid" 2>/dev/null || { cat "$work/app.log"; echo "the app did not start" >&2; exit 1; }
  sleep 0.02
done
ready_ms=$((($(date +%s%N) - t0) / 1000000))
startup_ms=$(grep -o 'startup_ms=[0-9]*' "$work/app.log" | head -1 | cut -d= -f2)
echo "ready in ${ready_ms} ms (the app says ${startup_ms} ms)"

bin/benchfloor -listen "127.0.0.1:$floor_port" >"$work/floor.log" 2>&1 &
pids+=("$!")
until curl -fs -o /dev/null "$floor/params"; do sleep 0.05; done

# The jobs run once at start (contract fees, reminders, escalations): let them finish first.
left=$(bin/benchfloor -settle 180s)
echo "background jobs settled ($left left)"

# login JAR EMAIL: the real login form, its CSRF token and the session cookie it sets.
login() {
  local jar=$1 email=$2 csrf code
  csrf=$(curl -s -c "$jar" -b "$jar" "$base/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  code=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "_csrf=$csrf" \
    --data-urlencode "email=$email" --data-urlencode "password=demo-password" "$base/login")
  [ "$code" = 303 ] || { echo "login $email: status $code" >&2; exit 1; }
}
cookie_of() { awk -F'\t' 'NF >= 7 { sub(/^#HttpOnly_/, "", $1); printf "%s%s=%s", sep, $6, $7; sep="; " }' "$1"; }
login "$work/client.jar" client@boulangerie.demo.test
login "$work/staff.jar" manager@demo.test
client_cookie=$(cookie_of "$work/client.jar")
staff_cookie=$(cookie_of "$work/staff.jar")

# to_ms VALUE: a wrk duration (850.00us, 12.5ms, 1.2s) in milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) ; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.1f", n }'; }

# run URL CONNS COOKIE → "rps p50 p99 errors"
run() {
  local out rps p50 p99 errs
  out=$(wrk -t2 -c"$2" -d"$duration" --latency -H "Cookie: $3" "$1" 2>&1)
  rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  errs=$(awk '/Socket errors/ { gsub(",", ""); n += $4 + $6 + $8 + $10 } /Non-2xx/ { n += $5 } END { print n + 0 }' <<<"$out")
  echo "$rps $p50 $p99 $errs"
}

rss_peak_kb=0
sample_rss() {
  local kb
  kb=$(awk '/VmRSS/ { print $2 }' "/proc/$app_pid/status" 2>/dev/null || echo 0)
  [ "${kb:-0}" -gt "$rss_peak_kb" ] && rss_peak_kb=$kb
  return 0
}

table="$work/table-$scale.md"
{
  echo "| page | conns | req/s | p50 ms | p99 ms | errors | floor req/s | page / floor |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
} >"$table"
while IFS=$'\t' read -r i pname path; do
  cookie=$client_cookie
  [[ $path == /admin* ]] && cookie=$staff_cookie
  # The page must answer 200 to this session (not a redirect to the login page) before it is measured.
  code=$(curl -s -o "$work/page-$i.html" -w '%{http_code}' -H "Cookie: $cookie" "$base$path")
  [ "$code" = 200 ] || { echo "$pname ($path): status $code" >&2; exit 1; }
  for conns in 32 128; do
    read -r rps p50 p99 errs < <(run "$base$path" "$conns" "$cookie")
    sample_rss
    read -r frps _ _ ferrs < <(run "$floor/floor/$i" "$conns" "")
    ratio=$(awk -v a="$rps" -v b="$frps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    echo "$pname @$conns: $rps req/s, p50 $p50 ms, p99 $p99 ms, $errs errors; floor $frps req/s ($ferrs errors)"
    echo "| $pname \`$path\` | $conns | $rps | $p50 | $p99 | $errs | $frps | $ratio |" >>"$table"
  done
done < <(curl -s "$floor/params")
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $client_cookie" "$base/portal")
[ "$code" = 200 ] || { echo "the client session no longer works after the run (status $code)" >&2; exit 1; }
hwm_kb=$(awk '/VmHWM/ { print $2 }' "/proc/$app_pid/status")

# First load of a portal page: the HTML and every stylesheet, script, font and icon it pulls in.
weight="$work/weight-$scale.md"
{
  echo "| resource | bytes as served | gzip -9 |"
  echo "|---|---:|---:|"
} >"$weight"
total_raw=0 total_gz=0
add_weight() {
  local label=$1 file=$2 raw gz
  raw=$(wc -c <"$file")
  gz=$(gzip -9c "$file" | wc -c)
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz))
  echo "| $label | $raw | $gz |" >>"$weight"
}
curl -s -H "Cookie: $client_cookie" -o "$work/portal.html" "$base/portal"
add_weight "/portal (HTML)" "$work/portal.html"
assets=$(grep -oE '(href|src)="/static/[^"]+"' "$work/portal.html" | sed -E 's/^(href|src)="//; s/"$//; s/&amp;/\&/g' | sort -u)
for a in $assets; do
  curl -s -o "$work/asset" "$base$a"
  add_weight "$a" "$work/asset"
  if [[ $a == *.css* ]]; then
    for u in $(grep -oE 'url\([^)]+\)' "$work/asset" | sed -E "s/url\(['\"]?//; s/['\"]?\)$//" | grep '^/static/' | sort -u); do
      curl -s -o "$work/asset2" "$base$u"
      add_weight "$u (from the CSS)" "$work/asset2"
    done
  fi
done
echo "| **total** | **$total_raw** | **$total_gz** |" >>"$weight"
fragment=$(curl -s -H "Cookie: $client_cookie" -H 'HX-Request: true' "$base/portal/tickets" | gzip -9c | wc -c)

bin/benchfloor -explain >"$work/explain-$scale.md"

commit=$(git rev-parse --short HEAD)
git diff --quiet HEAD -- app cmd migrations views static scripts 2>/dev/null || commit="$commit + uncommitted changes"
cpu=$(awk -F: '/model name/ { gsub(/^ +/, "", $2); print $2; exit }' /proc/cpuinfo)
mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
load=$(cut -d' ' -f1-3 /proc/loadavg)
counts=$(bin/benchfloor -counts)

section="$work/section-$scale.md"
{
  echo "<!-- bench:$scale:start -->"
  echo "## Scale $scale"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $commit"
  echo "- Machine: $cpu, $(nproc) cores, $mem; load average at the end $load (wrk runs on the same machine)"
  echo "- Data: $counts"
  echo "- Seeding: $seed_note"
  echo "- Start-up to ready on the migrated database: ${ready_ms} ms from exec to the first 200 of /readyz (the app logs ${startup_ms} ms)"
  echo "- RSS of the app: $((rss_peak_kb / 1024)) MB at most under load (read at the end of each wrk run); $((hwm_kb / 1024)) MB high-water mark over its whole life (VmHWM, start-up jobs included)"
  echo "- wrk: 2 threads, $duration per run, keep-alive; the floor is scripts/benchfloor (same main SQL, rows as text, no framework)"
  echo
  cat "$table"
  echo
  echo "### First load of the portal home (client user)"
  echo
  cat "$weight"
  echo
  echo "A later navigation (htmx fragment of /portal/tickets) is $fragment bytes gzipped; the static files carry a content hash in their URL and are cached."
  echo
  echo "### Query plans of each page's main statements (EXPLAIN (ANALYZE, BUFFERS))"
  echo
  echo "<details><summary>Plans at scale $scale</summary>"
  echo
  cat "$work/explain-$scale.md"
  echo "</details>"
  echo "<!-- bench:$scale:end -->"
} >"$section"

[ -f BENCHMARKS.md ] || printf '# Benchmarks\n\nWritten by `make bench` (scripts/bench.sh); each scale has its section.\n' >BENCHMARKS.md
if grep -q "<!-- bench:$scale:start -->" BENCHMARKS.md; then
  awk -v s="<!-- bench:$scale:start -->" -v e="<!-- bench:$scale:end -->" -v f="$section" '
    $0 == s { while ((getline l < f) > 0) print l; skip = 1; next }
    $0 == e { skip = 0; next }
    !skip { print }' BENCHMARKS.md >"$work/BENCHMARKS.md" && mv "$work/BENCHMARKS.md" BENCHMARKS.md
else
  { echo; cat "$section"; } >>BENCHMARKS.md
fi
echo "BENCHMARKS.md: section of scale $scale written"
