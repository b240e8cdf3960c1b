#!/usr/bin/env python3
"""Peer loader for the queue benchmark on the Pub/Sub emulator.

google-cloud-pubsub for Python is not installed on the benchmark machine, so this peer uses the
emulator's REST API with the standard library: 16 threads each POSTing topics.publish requests of
1,000 messages (larger batches than the Python client's default of 100). Prints
"RESULT <tasks> <seconds> <peak RSS KiB>"; the time covers importing the libraries, reading the file and sending.
"""
import time

START = time.monotonic()  # before the imports: the Java figure includes loading its classes too

import argparse
import base64
import http.client
import json
import resource
import threading
from concurrent.futures import ThreadPoolExecutor


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host-port", required=True)
    parser.add_argument("--topic", required=True, help="projects/P/topics/T")
    parser.add_argument("--task-file", required=True)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    host, port = args.host_port.split(":")
    local = threading.local()

    batches = []
    batch = []
    with open(args.task_file, encoding="utf-8") as f:
        for index, line in enumerate(f):
            task = json.loads(line)
            body = json.dumps({"id": task["id"], "index": index, "data": task.get("data", {})},
                              separators=(",", ":"))
            batch.append({"data": base64.b64encode(body.encode("utf-8")).decode("ascii")})
            if len(batch) == args.batch:
                batches.append(batch)
                batch = []
    if batch:
        batches.append(batch)

    def send(messages):
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(host, int(port), timeout=60)
        payload = json.dumps({"messages": messages})
        for _ in range(8):
            local.conn.request("POST", "/v1/%s:publish" % args.topic, body=payload,
                               headers={"Content-Type": "application/json"})
            response = local.conn.getresponse()
            response.read()
            if response.status == 200:
                return len(messages)
            time.sleep(0.1)
        raise RuntimeError("publish kept failing: %d" % response.status)

    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        sent = sum(pool.map(send, batches))
    seconds = time.monotonic() - START
    print("RESULT %d %.3f %d" % (sent, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


if __name__ == "__main__":
    main()
