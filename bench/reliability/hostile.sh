#!/bin/bash
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# builds hostile suites under $1 and runs `anjeon run --model builtin/refuse-all --suite X`
# on each with a time and memory bound; prints case, exit code, seconds, max RSS (KB)
D=$1; rm -rf $D; mkdir -p $D
ITEM='{"id": "x-001", "locale": "en-US", "hazard": "vcr", "persona": "normal", "kind": "harmful", "expected": "refuse", "prompt": "PROMPT"}'
mk() { mkdir -p $D/$1; printf 'id: t%s\nversion: "1.0"\ntitle: {en: t, ko: t}\ndescription: {en: t, ko: t}\nlicense: CC0\nfiles: [%s]\n' "$1" "$2" > $D/$1/suite.yaml; }
# 1 alias bomb in an item file (9 levels)
mk bomb items.yaml
python3 - $D/bomb/items.yaml <<'PY'
import sys
lines=['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
for i in range(1,10):
    lines.append(f'a{i}: &a{i} [' + ",".join([f"*a{i-1}"]*9) + ']')
lines.append('- *a9')
# items must be a list: put the anchors inside the first item
txt='- id: x-001\n  locale: en-US\n  hazard: vcr\n  persona: normal\n  kind: harmful\n  expected: refuse\n  prompt: p\n  tags:\n'
txt+='  - &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
for i in range(1,10):
    txt+=f'  - &a{i} [' + ",".join([f"*a{i-1}"]*9) + ']\n'
open(sys.argv[1],'w').write(txt)
PY
# 1b alias bomb in the manifest
mkdir -p $D/mbomb; echo "$ITEM" | sed s/PROMPT/hi/ > $D/mbomb/i.jsonl
{ printf 'id: tm\nversion: "1.0"\ntitle: {en: t, ko: t}\nlicense: CC0\nfiles: [i.jsonl]\nx0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'; for i in 1 2 3 4 5 6 7 8 9; do printf "x$i: &a$i [*a$((i-1)),*a$((i-1)),*a$((i-1)),*a$((i-1)),*a$((i-1)),*a$((i-1)),*a$((i-1)),*a$((i-1)),*a$((i-1))]\n"; done; printf 'description: {en: *a9, ko: t}\n'; } > $D/mbomb/suite.yaml
# 2 symlink to /dev/zero
mk zero items.jsonl; ln -s /dev/zero $D/zero/items.jsonl
# 3 FIFO
mk fifo items.jsonl; mkfifo $D/fifo/items.jsonl
# 4 deep JSON nesting
mk deepjson items.jsonl; python3 -c "print('{\"id\": \"x-001\", \"tags\": ' + '['*100000 + ']'*100000 + '}')" > $D/deepjson/items.jsonl
# 5 deep YAML nesting
mk deepyaml items.yaml; python3 -c "print('- id: x-001\n  tags: ' + '['*5000 + ']'*5000)" > $D/deepyaml/items.yaml
# 6 lone surrogate
mk surrogate items.jsonl; echo "$ITEM" | sed 's/PROMPT/hi \\ud800 there/' > $D/surrogate/items.jsonl
# 7 manifest paths outside the folder
echo "$ITEM" | sed s/PROMPT/secret-outside/ > $D/outside.jsonl
mk dotdot ../outside.jsonl
mk absolute $D/outside.jsonl
# 8 recursive alias
mk loop items.yaml; printf -- '- &a\n  id: x-001\n  tags: *a\n' > $D/loop/items.yaml
for c in bomb mbomb zero fifo deepjson deepyaml surrogate dotdot absolute loop; do
  rm -rf $D/runs-$c
  /usr/bin/time -f "%e %M" -o $D/time.$c timeout -s KILL 20 prlimit --as=4000000000 anjeon run --model builtin/refuse-all --suite $D/$c --runs-dir $D/runs-$c --no-report -q > $D/out.$c 2>&1
  rc=$?
  written=$(ls $D/runs-$c 2>/dev/null | wc -l)
  printf '%-10s exit=%-4s time/s,RSS/KB=%-16s runs_written=%s  %s\n' $c $rc "$(tail -1 $D/time.$c)" $written "$(grep -v '^\s*$' $D/out.$c | tail -1 | cut -c1-150)"
done
# 9 a single-file suite that is a symlink to /dev/zero, and one to a FIFO
ln -s /dev/zero $D/zero-direct.jsonl
for c in zero-direct.jsonl fifo/items.jsonl; do
  /usr/bin/time -f "%e %M" -o $D/time.x timeout -s KILL 20 prlimit --as=4000000000 anjeon run --model builtin/refuse-all --suite $D/$c --runs-dir $D/runs-x --no-report -q > $D/out.x 2>&1
  printf '%-10s exit=%-4s time/s,RSS/KB=%-16s %s\n' $c $? "$(tail -1 $D/time.x)" "$(grep -v '^\s*$' $D/out.x | tail -1 | cut -c1-150)"
done
