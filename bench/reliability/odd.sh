#!/bin/bash
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# $1 = output dir; runs the smoke suite against a stub answering odd shapes 10 % of the time each
D=$1; rm -rf $D; mkdir -p $D
for mode in list number object finish tokens surrogate; do
  python -m anjeon.testing --port 0 --lifetime 120 --faults $mode=0.1 > $D/stub.$mode 2>&1 &
  SP=$!
  for i in $(seq 50); do grep -q listening $D/stub.$mode && break; sleep 0.1; done
  URL=$(grep -o 'http://[^ ]*' $D/stub.$mode)
  /usr/bin/time -f "%e %M" -o $D/time.$mode timeout -s KILL 60 env PYTHONPATH=$CLIENT anjeon run --model openai-compatible/stub --base-url $URL --suite core --limit 100 --runs-dir $D/runs-$mode --no-report -q > $D/out.$mode 2>&1
  rc=$?
  stats=$(curl -s ${URL%/v1}/_stats | python -c "import json,sys; d=json.load(sys.stdin); print(d['requests'])")
  rd=$(ls -d $D/runs-$mode/* 2>/dev/null | head -1)
  cells=$( [ -n "$rd" ] && sqlite3 $rd/run.db "select status||'='||count(*) from cells group by status" | tr '\n' ' ')
  tb=$(grep -c Traceback $D/out.$mode)
  printf '%-10s exit=%-3s requests=%-5s cells: %-28s tracebacks=%s %s\n' $mode $rc $stats "$cells" $tb "$(grep -v '^\s*$' $D/out.$mode | grep -iE 'error|malformed' | tail -1 | cut -c1-120)"
  kill $SP; wait $SP 2>/dev/null
done
