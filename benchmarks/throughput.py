"""Throughput: worker processes of officers forwarding requests, each
forward's mails handed to an SMTP sink in a process of its own."""
import contextlib
import json
import os
import subprocess
import sys
import time

import odoo

from .database import start_odoo, transaction
from .measure import run_step
from .settings import ENTRY, OFFICES, ROOT, STATE, log
from .workflow import People, drive, new_floor, served


class SmtpSink:
    """The sink in a process of its own, for the whole run."""

    def __init__(self, port):
        self.port = port
        self.count_file = os.path.join(STATE, "bench-smtp-count")
        if os.path.exists(self.count_file):
            os.unlink(self.count_file)
        self.proc = subprocess.Popen(
            # stdlib only: it listens within a second
            [sys.executable, "-m", "benchmarks.smtp_sink", str(port), self.count_file],
            cwd=ROOT, env=dict(os.environ))
        import socket
        for _i in range(100):
            with contextlib.closing(socket.socket()) as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("the SMTP sink did not start on port %d" % port)

    def received(self):
        try:
            with open(self.count_file) as handle:
                return int(handle.read() or 0)
        except (OSError, ValueError):
            return 0

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)


def use_smtp_sink(registry, port):
    """The database's only outgoing mail server: the sink."""
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        servers = env["ir.mail_server"].search([])
        values = {"name": "Benchmark SMTP sink", "smtp_host": "127.0.0.1",
                  "smtp_port": port, "smtp_encryption": "none",
                  "sequence": 1}
        if servers:
            servers[:1].write(values)
            servers[1:].unlink()
        else:
            servers.create(values)


def mail_queue_state(registry):
    """Mails of the queue by state (those sent and deleted are gone)."""
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        env.cr.execute("SELECT state, count(*) FROM mail_mail GROUP BY state")
        return dict(env.cr.fetchall())


def work_share(registry, index, count, seconds, query, drive_one):
    """Drive this worker's share of the queued documents (`query` lists
    their ids) one by one with drive_one(id, deadline, retries), which
    returns the (click s, after-commit s) of its forwards and whether it
    reached the end, until all are done or out of time; print JSON."""
    import resource
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        env.cr.execute(query)
        ids = [row[0] for row in env.cr.fetchall()][index::count]
    deadline = time.time() + seconds if seconds else None
    start = time.perf_counter()
    forwards = cleared = 0
    click_s = after_s = 0.0
    retries = []
    for doc_id in ids:
        steps, done = drive_one(doc_id, deadline, retries)
        forwards += len(steps)
        click_s += sum(click for click, _after in steps)
        after_s += sum(after for _click, after in steps)
        cleared += done
        if not done:
            break
    elapsed = time.perf_counter() - start
    print(json.dumps({
        "forwards": forwards, "cleared": cleared, "seconds": elapsed,
        "click_s": click_s, "after_s": after_s, "retries": len(retries),
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def worker(conf, index, count, seconds):
    """The queued requests (named CLR/T...) through every stage, each
    forward's mails sent right after its commit."""
    registry = start_odoo(conf)
    people = People(registry)

    def drive_one(request_id, deadline, retries):
        steps = []
        stopped = drive(registry, people, request_id, record=steps,
                        deadline=deadline, retries=retries)
        return [(step[1], step[3]) for step in steps], stopped is None

    work_share(registry, index, count, seconds,
               "SELECT id FROM clearance_request WHERE name LIKE 'CLR/T%' "
               "AND state = 'progress' ORDER BY id", drive_one)


def floor_worker(conf, index, count, seconds):
    """The same with the floor's documents (named FLOOR/T...): each office's
    officer sends one on, its mail sent right after the commit."""
    registry = start_odoo(conf)
    people = People(registry)
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        officer = {env.ref("clearance_request.group_office_%s" % office).id:
                   people.officers[office] for office in OFFICES}

    def drive_one(doc_id, deadline, retries):
        steps = []
        while not deadline or time.time() < deadline:
            with transaction(registry, odoo.SUPERUSER_ID) as env:
                office = env["clearance.bench.floor"].browse(doc_id).office_id.id
            if not office:
                return steps, True
            cost = served(lambda uid=officer[office]: run_step(
                registry, uid, lambda env: env["clearance.bench.floor"].browse(
                    doc_id).action_forward()), retries)
            steps.append((cost.click_s, cost.after_s))
        return steps, False

    work_share(registry, index, count, seconds,
               "SELECT id FROM clearance_bench_floor WHERE name LIKE "
               "'FLOOR/T%' AND state = 'progress' ORDER BY id", drive_one)


def run_workers(conf, registry, sink, flag, workers, seconds):
    """Start the worker processes, wait for them: the run's figures."""
    queue_before = mail_queue_state(registry)
    received_before = sink.received()
    procs = [subprocess.Popen(
        ENTRY + [flag, str(i), str(workers), str(seconds), "--conf", conf],
        stdout=subprocess.PIPE, cwd=ROOT, env=dict(os.environ))
        for i in range(workers)]
    start = time.perf_counter()
    reports = []
    try:
        for proc in procs:
            out, _err = proc.communicate()
            if proc.returncode:
                raise RuntimeError("a throughput worker failed")
            reports.append(json.loads(out.decode().strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(30)
    wall = time.perf_counter() - start
    forwards = sum(r["forwards"] for r in reports)
    queue_after = mail_queue_state(registry)
    return {"workers": workers, "wall_s": wall, "budget_s": seconds,
            "forwards": forwards, "cleared": sum(r["cleared"] for r in reports),
            "per_s": forwards / max(r["seconds"] for r in reports),
            "click_s": sum(r["click_s"] for r in reports),
            "retries": sum(r["retries"] for r in reports),
            "after_s": sum(r["after_s"] for r in reports),
            "maxrss_mb": [r["maxrss_kb"] / 1024.0 for r in reports],
            "mails_received": sink.received() - received_before,
            "queue_before": queue_before, "queue_after": queue_after}


def bench_throughput(conf, registry, filler, sink, total, seconds, workers=2):
    filler.queue_for_throughput(total)
    log("throughput: %d workers driving %d queued requests (%s)" % (
        workers, total, "%d s budget" % seconds if seconds else "no time limit"))
    return dict(run_workers(conf, registry, sink, "--worker", workers, seconds),
                queued=total)


def bench_floor_throughput(conf, registry, people, partner_id, sink, total,
                           seconds, workers=2):
    """The same run with the floor's documents: the rate Odoo's mechanisms
    alone allow on this machine."""
    for number in range(total):
        new_floor(registry, people, partner_id, name="FLOOR/T%05d" % number)
    log("floor throughput: %d workers driving %d floor documents (%d s budget)"
        % (workers, total, seconds))
    return dict(run_workers(conf, registry, sink, "--floor-worker", workers,
                            seconds), queued=total)
