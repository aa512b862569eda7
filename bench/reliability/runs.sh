#!/bin/bash
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# $1 = output dir; CLIENT = PYTHONPATH of the anjeon under test (empty: the worktree)
D=$1; rm -rf $D; mkdir -p $D
MINI=$ROOT/tests/fixtures/run/mini.jsonl
stub() { python -m anjeon.testing --port 0 --lifetime 300 "$@" > $D/stub.log 2>&1 & SP=$!; for i in $(seq 80); do grep -q listening $D/stub.log && break; sleep 0.1; done; URL=$(grep -o 'http://[^ ]*' $D/stub.log); }
stats() { curl -s ${URL%/v1}/_stats | python -c "import json,sys; d=json.load(sys.stdin); c=d['cells']; print('requests', d['requests'], 'cells', len(c), 'asked-twice', sum(1 for v in c.values() if v>1), 'duplicate-requests', sum(v-1 for v in c.values() if v>1))"; }
A="anjeon"
# 1. --resume beside a live run
stub --latency 0.05
env PYTHONPATH=$CLIENT $A run -s $MINI -m openai-compatible/stub --base-url $URL --epochs 40 --max-connections 4 --runs-dir $D/r1 -q --no-report > $D/o1 2>&1 &
P1=$!
for i in $(seq 100); do ls $D/r1/*/run.db >/dev/null 2>&1 && break; sleep 0.1; done; sleep 1
RD=$(ls -d $D/r1/*/ | head -1)
env PYTHONPATH=$CLIENT $A run --resume $RD -q --no-report > $D/o2 2>&1; C2=$?
wait $P1; C1=$?
echo "1 resume-beside-live: first exit=$C1 second exit=$C2 :: $(stats) :: $(grep -v '^\s*$' $D/o2 | tail -1 | cut -c1-160)"
kill $SP; wait $SP 2>/dev/null
# 2. two identical commands within 0.3 s
stub --latency 0.05
for k in a b; do env PYTHONPATH=$CLIENT $A run -s $MINI -m openai-compatible/stub --base-url $URL --epochs 10 --runs-dir $D/r2 -q --no-report > $D/o2$k 2>&1 & eval P$k=$!; sleep 0.2; done
wait $Pa; CA=$?; wait $Pb; CB=$?
echo "2 identical-commands: exits=$CA,$CB run-dirs=$(ls $D/r2 | wc -l) :: $(stats)"
kill $SP; wait $SP 2>/dev/null
# 3. a server answering 404 to everything (wrong model name)
stub --known-models qwen-real,llama-real
env PYTHONPATH=$CLIENT $A run -s core -m openai-compatible/qwen-typo --base-url $URL --runs-dir $D/r3 > $D/o3 2>&1; C3=$?
RD=$(tail -1 $D/o3)
env PYTHONPATH=$CLIENT $A check $RD > $D/o3c 2>&1; C3C=$?
echo "3 404-everything: exit=$C3 check-exit=$C3C server-message-shown=$(grep -c 'does not exist' $D/o3) models-offered=$(grep -c 'qwen-real' $D/o3) :: $(stats)"
kill $SP; wait $SP 2>/dev/null
# 4. 50 % of cells failed (400) -> run exit and check exit
stub --faults 400=0.5
env PYTHONPATH=$CLIENT $A run -s $MINI -m openai-compatible/stub --base-url $URL --epochs 4 --runs-dir $D/r4 > $D/o4 2>&1; C4=$?
RD=$(tail -1 $D/o4)
env PYTHONPATH=$CLIENT $A check $RD --max-violation-rate 100% > $D/o4c 2>&1; C4C=$?
env PYTHONPATH=$CLIENT $A run -s $MINI -m openai-compatible/stub --base-url $URL --epochs 4 --runs-dir $D/r4 > $D/o4b 2>&1; C4B=$?
env PYTHONPATH=$CLIENT $A run -s $MINI -m openai-compatible/stub --base-url $URL --epochs 4 --runs-dir $D/r4 --retry-failed > $D/o4r 2>&1; C4R=$?
echo "4 half-failed: run-exit=$C4 check-exit=$C4C rerun-exit=$C4B rerun-mentions-failed=$(grep -c 'retry-failed' $D/o4b) retry-failed-without-resume-exit=$C4R :: $(grep -i 'retry-failed\|error' $D/o4r | head -1 | cut -c1-120)"
kill $SP; wait $SP 2>/dev/null
# 5. credentials in the URL with a key set
OPENAI_API_KEY=sk-real-key-123 env PYTHONPATH=$CLIENT $A run -s $MINI -m openai-compatible/stub --base-url http://user:hunter22pw@127.0.0.1:9/v1 --runs-dir $D/r5 > $D/o5 2>&1; C5=$?
echo "5 url-credentials+key: exit=$C5 password-printed=$(grep -c hunter22pw $D/o5) traceback=$(grep -c Traceback $D/o5) :: $(grep -v '^\s*$' $D/o5 | tail -1 | cut -c1-140)"
# 6. malformed IPv6 base URL
env PYTHONPATH=$CLIENT $A run -s $MINI -m openai-compatible/stub --base-url 'http://[::1/v1' --runs-dir $D/r6 > $D/o6 2>&1; C6=$?
echo "6 malformed-ipv6: exit=$C6 traceback=$(grep -c Traceback $D/o6) :: $(grep -v '^\s*$' $D/o6 | tail -1 | cut -c1-140)"
# 7. a leaky server echoing a JSON-escaped key
stub --faults 400=1.0 --echo-auth
OPENAI_API_KEY='sk-te"st/key' env PYTHONPATH=$CLIENT $A run -s $MINI -m openai-compatible/stub --base-url $URL --runs-dir $D/r7 -q > $D/o7 2>&1
echo "7 json-escaped-key-echoed: files-with-key=$(grep -rlF 'sk-te\"st/key' $D/r7 $D/o7 2>/dev/null | wc -l) files-with-escaped-key=$(grep -rlF 'sk-te\\\"st\/key' $D/r7 $D/o7 2>/dev/null | wc -l)"
kill $SP; wait $SP 2>/dev/null
# 8. damaged stores
env PYTHONPATH=$CLIENT $A run -s $MINI -m builtin/refuse-all --runs-dir $D/r8 -q > $D/o8 2>&1
env PYTHONPATH=$CLIENT $A run -s $MINI -m builtin/refuse-all --runs-dir $D/r8 -q --new > $D/o8b 2>&1
RD=$(tail -1 $D/o8b); rm -f $RD/run.db-wal $RD/run.db-shm
head -c 3000 /dev/urandom > $RD/run.db
env PYTHONPATH=$CLIENT $A runs list --runs-dir $D/r8 > $D/o8l 2>&1; L=$?
env PYTHONPATH=$CLIENT $A runs show $RD > $D/o8s 2>&1; S=$?
: > $RD/run.db; A0=$(python -c "import json;print(json.load(open('$RD/record.json'))['counts']['answered'])")
env PYTHONPATH=$CLIENT $A report $RD > $D/o8r 2>&1; R=$?
A1=$(python -c "import json;print(json.load(open('$RD/record.json'))['counts']['answered'])")
echo "8 damaged-store: random-bytes runs-list-exit=$L runs-show-exit=$S tracebacks=$(cat $D/o8l $D/o8s | grep -c Traceback); empty run.db report-exit=$R record-answered before/after=$A0/$A1"
