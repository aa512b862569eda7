#!/bin/bash
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$1; rm -rf $D; mkdir -p $D
python -m anjeon.testing --port 0 --lifetime 120 --faults huge=1.0 --huge-chars 100000000 > $D/stub.log 2>&1 & SP=$!
for i in $(seq 80); do grep -q listening $D/stub.log && break; sleep 0.1; done; URL=$(grep -o 'http://[^ ]*' $D/stub.log)
/usr/bin/time -f "%e %M" -o $D/time timeout 120 env PYTHONPATH=$CLIENT anjeon run -s $ROOT/tests/fixtures/run/mini.jsonl -m openai-compatible/stub --base-url $URL --limit 1 --max-retries 0 --runs-dir $D/r -q --no-report > $D/out 2>&1; C=$?
RD=$(ls -d $D/r/*/ | head -1)
echo "huge-answer (100 MB): exit=$C time/s,maxRSS/KB=$(tail -1 $D/time) stored-chars=$(sqlite3 $RD/run.db 'select coalesce(max(length(text)),0) from responses') :: $(grep -E 'too_large|failed' $D/out | head -2 | tr '\n' ' ' | cut -c1-160)"
kill $SP; wait $SP 2>/dev/null
