#!/usr/bin/env python3
"""Peer loader for the queue benchmark: the python-task-queue technique for SQS.

Reads a JSON Lines task file, and sends the tasks with SendMessageBatch (10 per request)
from 16 threads (boto3, one client shared by the threads, a connection per thread),
resending the entries a response lists as failed. Prints
"RESULT <tasks> <seconds> <peak RSS KiB>"; the time covers importing the libraries, reading the file and sending.
"""
import time

START = time.monotonic()  # before the imports: the Java figure includes loading its classes too

import argparse
import json
import resource
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--queue-url", required=True)
    parser.add_argument("--task-file", required=True)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args()

    sqs = boto3.client(
        "sqs", endpoint_url=args.endpoint, region_name=args.region,
        aws_access_key_id="bench", aws_secret_access_key="bench",
        config=Config(max_pool_connections=args.threads))

    batches = []
    batch = []
    with open(args.task_file, encoding="utf-8") as f:
        for index, line in enumerate(f):
            task = json.loads(line)
            body = json.dumps({"id": task["id"], "index": index, "data": task.get("data", {})},
                              separators=(",", ":"))
            batch.append({"Id": str(len(batch)), "MessageBody": body})
            if len(batch) == 10:
                batches.append(batch)
                batch = []
    if batch:
        batches.append(batch)

    def send(entries):
        for _ in range(8):
            response = sqs.send_message_batch(QueueUrl=args.queue_url, Entries=entries)
            failed = {f["Id"] for f in response.get("Failed", [])}
            if not failed:
                return len(entries)
            entries = [e for e in entries if e["Id"] in failed]
        raise RuntimeError("entries kept failing")

    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        sent = sum(pool.map(send, batches))
    seconds = time.monotonic() - START
    print("RESULT %d %.3f %d" % (sent, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


if __name__ == "__main__":
    main()
