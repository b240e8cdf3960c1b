#!/usr/bin/env python3
"""JVM start-up settings for short-lived taskjob processes, side by side.

Runs each variant once per round, rounds interleaved (the order rotates each round), and prints medians:
- worker: a worker JVM on the first 200 of the parallel-addition sample's tasks at 10 slots (file mode), timed from
  launch to its first task_started event and to its exit; the flags of `taskjob local`'s workers, of the
  worker image, and the image's with an application class-data archive; on the system JDK and on the
  worker image's jlink runtime with and without its CDS archive.
- cli: `taskjob instance-types --provider aws --region us-east-1 --offline`, whole command.
CPU is user + system of the JVM and its children (os.wait4). Called by bench/startup/run.sh.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime

WORKER_MAIN = "dev.taskjob.worker.WorkerMain"
IMAGE_FLAGS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m"]


def run(cmd, cwd, env=None):
    """Runs cmd; returns (launch time in ns since the epoch, wall s, cpu s, exit code)."""
    launched = time.time_ns()
    start = time.monotonic()
    with open(os.path.join(cwd, "stderr.log"), "w+") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            err.seek(0)
            sys.exit(f"{' '.join(cmd)} exited {code}:\n{err.read()[-2000:]}")
    return launched, wall, usage.ru_utime + usage.ru_stime


def first_task_start(events_file):
    with open(events_file) as f:
        for line in f:
            event = json.loads(line)
            if event.get("event_type") == "task_started":
                return datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp()
    raise SystemExit(f"no task_started in {events_file}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cli-jar", required=True)
    parser.add_argument("--worker-jar", required=True)
    parser.add_argument("--runtime-plain", required=True, help="jlink runtime without a CDS archive")
    parser.add_argument("--runtime-cds", required=True, help="the same runtime made with --generate-cds-archive")
    parser.add_argument("--work", required=True)
    parser.add_argument("--only", choices=["worker", "cli"], default=None)
    args = parser.parse_args()
    repo = os.getcwd()
    tasks = os.path.join(repo, "samples/parallel-addition/addition_tasks.json")
    script = os.path.join(repo, "samples/parallel-addition/addition.sh")
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    system_java = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64"), "bin", "java")
    plain_java = os.path.join(os.path.abspath(args.runtime_plain), "bin", "java")
    cds_java = os.path.join(os.path.abspath(args.runtime_cds), "bin", "java")
    worker_cp = os.path.abspath(args.worker_jar)
    cli_jar = os.path.abspath(args.cli_jar)
    worker_jsa = os.path.join(work, "worker-app.jsa")
    cli_jsa = os.path.join(work, "cli-app.jsa")

    def worker_cmd(java, flags, events):
        return [java, *flags, "-cp", worker_cp, WORKER_MAIN, "--task-file", tasks, "--num-simultaneous-tasks", "10", "--max-num-tasks", "200",
                "-q", "--keep-task-dirs", "none", "--event-log-file", events, "--", script]

    cli_args = ["instance-types", "--provider", "aws", "--region", "us-east-1", "--offline"]

    # Training runs for the application class-data archives (dynamic archives on top of the JDK's).
    if args.only != "cli":
        run(worker_cmd(cds_java, IMAGE_FLAGS + [f"-XX:ArchiveClassesAtExit={worker_jsa}"],
                       os.path.join(work, "train.events")), work, worker_env(work))
    if args.only != "worker":
        run([system_java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", f"-XX:ArchiveClassesAtExit={cli_jsa}",
             "-jar", cli_jar, *cli_args], work)

    variants = []
    if args.only != "cli":
        variants += [
            ("worker", "system JDK, default flags (taskjob local today)", system_java, []),
            ("worker", "system JDK, C1 + serial GC", system_java, IMAGE_FLAGS),
            ("worker", "jlink runtime, no CDS archive (image today)", plain_java, IMAGE_FLAGS),
            ("worker", "jlink runtime + --generate-cds-archive", cds_java, IMAGE_FLAGS),
            ("worker", "jlink runtime + CDS + app archive", cds_java,
             IMAGE_FLAGS + [f"-XX:SharedArchiveFile={worker_jsa}"]),
        ]
    if args.only != "worker":
        variants += [
            ("cli", "java -jar, default flags", system_java, []),
            ("cli", "C1 + serial GC", system_java, ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]),
            ("cli", "C1 + serial GC + app archive", system_java,
             ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", f"-XX:SharedArchiveFile={cli_jsa}"]),
        ]
    results = {v[1]: {"first": [], "wall": [], "cpu": []} for v in variants}
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    for r in range(args.rounds):
        order = variants[r % len(variants):] + variants[:r % len(variants)]
        for kind, name, java, flags in order:
            if kind == "worker":
                events = os.path.join(work, f"events-{r}.log")
                if os.path.exists(events):
                    os.remove(events)
                launched, wall, cpu = run(worker_cmd(java, flags, events), work, worker_env(work))
                results[name]["first"].append(first_task_start(events) - launched / 1e9)
            else:
                launched, wall, cpu = run([java, *flags, "-jar", cli_jar, *cli_args], work)
            results[name]["wall"].append(wall)
            results[name]["cpu"].append(cpu)
            print(f"round {r + 1}: {kind}: {name}: wall {wall:.2f} s, cpu {cpu:.2f} s", file=sys.stderr)
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)

    print("| process | variant | launch to first task (s), median | whole command (s), median (rounds) | CPU (s), median (rounds) |")
    print("| --- | --- | ---: | --- | --- |")
    for kind, name, _, _ in variants:
        res = results[name]
        first = f"{statistics.median(res['first']):.2f}" if res["first"] else ""
        print(f"| {kind} | {name} | {first} | {statistics.median(res['wall']):.2f} ({fmt(res['wall'])}) | "
              f"{statistics.median(res['cpu']):.2f} ({fmt(res['cpu'])}) |")


def worker_env(work):
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ", "USER")}
    env["ADDITION_OUTPUT_DIR"] = os.path.join(work, "results")
    return env


def fmt(values):
    return ", ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
