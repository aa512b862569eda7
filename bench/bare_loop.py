"""The yardstick: a bare aiohttp loop sending the suite's requests to a server.

    python bench/bare_loop.py SUITE.jsonl BASE_URL CONNECTIONS

Reads the JSONL items, sends one Chat Completions request per item with CONNECTIONS
concurrent workers, parses each answer, keeps nothing. This is the practical limit of
Python here; anjeon's throughput is reported as a ratio of this.
"""

from __future__ import annotations

import asyncio
import json
import sys

import aiohttp


async def main(path: str, base_url: str, connections: int) -> None:
    with open(path, encoding="utf-8") as f:
        prompts = [json.loads(line)["prompt"] for line in f if line.strip()]
    url = base_url.rstrip("/") + "/chat/completions"
    it = iter(prompts)
    ok = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal ok
        for prompt in it:
            body = {"model": "stub", "messages": [{"role": "user", "content": prompt}]}
            async with session.post(
                url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
            ) as r:
                data = json.loads(await r.read())
                ok += data["choices"][0]["message"]["content"] is not None

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(connections)))
    print(f"{ok} answered")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
