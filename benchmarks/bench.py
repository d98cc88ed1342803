"""Benchmark of the clearance workflow against OCA's tier validation.

Run it with `bin/clearance bench [--quick]` (`python -m benchmarks.bench`
from the repository). It builds the database `clearance_bench`
(clearance_request and clearance_account, as the demo has them, + the peer
and floor modules under benchmarks/addons), then,
with 10, 1k and 100k requests in the database:

- per step of a second-shift student's clearance (submit + ten forwards),
  the SQL queries and the time of the click, run as the real user (record
  rules on), each in its own transaction as the server would: the step's
  writes, its chatter line (tracking), the to-dos and the automated
  actions' mails queued; then, apart, the work done right after the commit
  (the step's mails handed to a local SMTP sink);
- the peer: one `validate_tier` approval of an eleven-tier document;
- the floor: the same consequences as a forward (tracked chatter line,
  automated action's mail, to-dos handed over) on a bare model with Odoo's
  mechanisms alone (benchmarks/addons/clearance_bench_floor);
- the officer's queue (80 rows of My queue) against the same read by a manager;
- the student portal's list and tracker, through HTTP, queries counted in
  the server;
- where a forward's queries and time go, by kind of work, beside the
  peer's;
and finally the throughput of officers driving requests through every
stage (two worker processes, mails sent after each commit), with the
workers' peak memory, then the same with the floor's documents.

The filler requests are copies, made in SQL, of requests that went through
the real actions (lines, chatter with its tracking values and recipients,
followers and to-dos included), so the database stays consistent. The
database's mail server is a local SMTP sink (127.0.0.1:SMTP_PORT) run for
the whole benchmark; the portal's HTTP server listens on HTTP_PORT.
Results go to stdout and benchmarks/RESULTS.md.

The parts, in the package beside this script: settings (database, ports,
configuration), database (install, transactions), workflow (the people and
the real actions), measure (a step's queries and time; the queue), sources
(where they go), filler (copies made in SQL), portal (HTTP probes),
throughput (worker processes, the SMTP sink), report (RESULTS.md).
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time

import odoo

from . import bulk, enrolment
from .dashboard import bench_dashboard
from .database import create_database, start_odoo, transaction
from .filler import Filler
from .measure import bench_queue, explain_queue
from .portal import Portal, bench_portal, model_reads_portal, portal_students
from .report import fmt_counts, label, ms, print_summary, report
from .settings import (DB, OFFICES, QUEUE_OFFICE, ROOT, SMTP_PORT, STATE, log,
                       write_config)
from .sources import forward_times, query_sources, validate_tier_times
from .smtp_sink import smtp_sink
from .throughput import (SmtpSink, bench_floor_throughput, bench_throughput,
                         floor_worker, use_smtp_sink, worker)
from .workflow import (People, drive, fill_form, floor_forwards,
                       full_clearance, new_document, new_floor, new_request,
                       tier_approvals)


def git_state():
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              stdout=subprocess.PIPE, check=True).stdout.decode().strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain",
                                "--untracked-files=no"],
                               stdout=subprocess.PIPE, check=True).stdout.strip()
        return "commit %s%s" % (head, " with uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def loadavg():
    return " ".join("%.1f" % x for x in os.getloadavg())


def median_counts(measures):
    """(median time, {query counts}) of (time, queries) measures."""
    measures = list(measures)
    return (statistics.median(t for t, _q in measures),
            {q for _t, q in measures})


def run(args, conf, sink):
    results = {"load_before": loadavg(), "code": git_state(), "sizes": [],
               "queue_runs": args.runs, "smtp_port": SMTP_PORT}
    registry = start_odoo(conf)
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        env.cr.execute("SHOW server_version")
        results["pg"] = env.cr.fetchone()[0]
    people = People(registry)
    bulk.make_officers(registry)
    use_smtp_sink(registry, SMTP_PORT)
    filler = Filler(registry, people)
    portal = Portal(registry)
    results["portal_how"] = (
        "Through HTTP (`/my/clearance`, `/my/clearance/<id>`) as the logged-in "
        "student, on an Odoo HTTP server in the benchmark's process; queries "
        "counted server-side (`odoo.sql_db.sql_counter`), time seen by the "
        "client. Median of 5 loads." if portal.available else
        "The portal pages are not installed: the model reads they need, as "
        "the student (median of 5).")
    portal_pages = None
    student = people.students["90000001"]
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        partner = env["res.users"].browse(student).partner_id.id
    for number, size in enumerate(args.sizes):
        log("=== %s requests ===" % label(size))
        deadline = time.time() + args.size_budget
        if number == 0:
            filler.make_prototypes([name for name, _s in Filler.MIX[:5]]
                                   + ["at_department"])
            filler.make_tier_prototype()
            full_clearance(registry, people, student)  # warm-up
            tier_approvals(registry, people, partner)  # warm-up
            floor_forwards(registry, people, partner)  # warm-up
        else:
            filler.make_prototypes()
        filler.grow_to(size)
        count = filler.count()
        runs = []
        while len(runs) < args.repeat and (not runs or time.time() < deadline):
            runs.append(full_clearance(registry, people, student)[1])
        steps = []
        for index, step in enumerate(runs[0]):
            steps.append((step[0], statistics.median(r[index][1] for r in runs),
                          {r[index][2] for r in runs},
                          statistics.median(r[index][3] for r in runs),
                          {r[index][4] for r in runs}))
        # office forwards to a next office (the last office's clears)
        forwards = [(t, q, at, aq) for r in runs
                    for name, t, q, at, aq in r[1:-1]]
        peer = [t for _i in range(len(runs))
                for t in tier_approvals(registry, people, partner)[0]]
        # the floor's forwards to a next office (its last one clears it)
        floor = [f for _i in range(len(runs))
                 for f in floor_forwards(registry, people, partner)[:-1]]
        size_result = {
            "size": size, "requests": count, "steps": steps, "runs": len(runs),
            "ours_forward": median_counts((f[0], f[1]) for f in forwards),
            "ours_after": median_counts((f[2], f[3]) for f in forwards),
            "ours_total": median_counts((f[0] + f[2], f[1] + f[3]) for f in forwards),
            "peer": median_counts((p[1], p[2]) for p in peer),
            "peer_after": median_counts((p[3], p[4]) for p in peer),
            "peer_total": median_counts((p[1] + p[3], p[2] + p[4]) for p in peer),
            "floor": median_counts((f[1], f[2]) for f in floor),
            "floor_after": median_counts((f[3], f[4]) for f in floor),
            "floor_total": median_counts((f[1] + f[3], f[2] + f[4]) for f in floor),
            "queue": bench_queue(registry, people, args.runs),
        }
        if portal_pages is None:
            portal_pages = portal_students(registry, people, filler)
        size_result["portal"] = (bench_portal(portal, people, portal_pages)
                                 if portal.available else
                                 model_reads_portal(registry, people, portal_pages))
        size_result["dashboard"] = bench_dashboard(registry, people.manager)
        results["sizes"].append(size_result)
        log("forward %s q, %s ms (after commit %s q, %s ms); validate_tier "
            "%s q, %s ms; queue ratio %.2f" % (
                fmt_counts(size_result["ours_forward"][1]),
                ms(size_result["ours_forward"][0]),
                fmt_counts(size_result["ours_after"][1]),
                ms(size_result["ours_after"][0]),
                fmt_counts(size_result["peer"][1]), ms(size_result["peer"][0]),
                size_result["queue"]["search_read"]["ratio"]))
    results["explain"] = explain_queue(registry, people.officers[QUEUE_OFFICE])
    request_id = new_request(registry, people, student)
    with transaction(registry, student) as env:
        env["clearance.request"].browse(request_id).action_submit()
    drive(registry, people, request_id, until="library_kharazmi")
    with transaction(registry, people.officers["library_kharazmi"]) as env:
        fill_form(env, env["clearance.request"].browse(request_id))
    sources, cost = query_sources(
        registry, people.officers["library_kharazmi"],
        lambda env: env["clearance.request"].browse(request_id).action_forward(),
        dump=os.path.join(STATE, "logs", "bench-forward-queries.txt"))
    results["sources"] = sources
    results["sources_cost"] = [cost.click_q, cost.after_q, cost.hooks]
    doc_id = new_document(registry, people, partner)
    results["peer_sources"], cost = query_sources(
        registry, people.tier_reviewers[0],
        lambda env: env["clearance.bench.document"].browse(
            doc_id).validate_tier(),
        dump=os.path.join(STATE, "logs", "bench-peer-queries.txt"),
        addon="base_tier_validation")
    results["peer_sources_cost"] = [cost.click_q, cost.after_q, cost.hooks]
    floor_id = new_floor(registry, people, partner)
    results["floor_sources"], cost = query_sources(
        registry, people.officers[OFFICES[0]],
        lambda env: env["clearance.bench.floor"].browse(
            floor_id).action_forward(),
        dump=os.path.join(STATE, "logs", "bench-floor-queries.txt"),
        addon="clearance_bench_floor")
    results["floor_sources_cost"] = [cost.click_q, cost.after_q, cost.hooks]
    drive(registry, people, request_id)  # the student's next request follows
    results["time_sources"] = forward_times(registry, people, student)
    results["peer_time_sources"] = validate_tier_times(registry, people, partner)
    log("bulk forward of 500 requests; automatic checks")
    results["bulk"] = bulk.measure_all(registry, 500)
    results["throughput"] = bench_throughput(
        conf, registry, filler, sink, args.throughput, args.throughput_seconds)
    results["floor_throughput"] = bench_floor_throughput(
        conf, registry, people, partner, sink, args.floor_documents,
        args.floor_seconds)
    results["db_total"] = filler.count()
    results["load_after"] = loadavg()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="sizes 10, 1k and 10k; 500 requests for throughput")
    parser.add_argument("--reuse", action="store_true",
                        help="skip the install: go on with the last run's database "
                             "as it is (sizes it already has are not refilled)")
    parser.add_argument("--report-only", action="store_true",
                        help="write RESULTS.md again from the last run's numbers")
    parser.add_argument("--worker", nargs=3, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--floor-worker", nargs=3, type=int,
                        help=argparse.SUPPRESS)
    parser.add_argument("--smtp-sink", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--conf", help=argparse.SUPPRESS)
    parser.add_argument("--enrolment", nargs=argparse.REMAINDER,
                        help="the registrar's student import instead "
                             "(benchmarks/enrolment.py's arguments)")
    args = parser.parse_args()
    if args.enrolment is not None:
        enrolment.main(args.enrolment)
        return
    if args.worker:
        worker(args.conf, *args.worker)
        return
    if args.floor_worker:
        floor_worker(args.conf, *args.floor_worker)
        return
    if args.smtp_sink:
        smtp_sink(int(args.smtp_sink[0]), args.smtp_sink[1])
        return
    args.sizes = [10, 1000, 10000] if args.quick else [10, 1000, 100000]
    args.repeat = 3
    args.runs = 21
    args.throughput = 500 if args.quick else 10000
    # Officers click for at most this long; a run that clears fewer than
    # all the queued requests reports its rate and how long all would take.
    args.throughput_seconds = 60 if args.quick else 1800
    args.size_budget = 120 if args.quick else 240
    # The floor's rate is steady within a minute; its documents are made
    # one by one through the ORM, enough for the budget.
    args.floor_documents = 150 if args.quick else 600
    args.floor_seconds = 60 if args.quick else 300
    conf = os.path.join(STATE, "odoo-bench.conf")
    os.makedirs(os.path.join(STATE, "logs"), exist_ok=True)
    write_config(conf, DB, os.path.join(STATE, "logs", "bench-odoo.log"))
    saved = os.path.join(STATE, "bench-results.json")
    if args.report_only:
        with open(saved) as handle:
            results = json.load(handle)
        started = datetime.datetime.strptime(results["started"], "%Y-%m-%d %H:%M:%S")
        finished = datetime.datetime.strptime(results["finished"], "%Y-%m-%d %H:%M:%S")
    else:
        started = datetime.datetime.utcnow()
        # the mail server of the whole run, the install's mails included
        sink = SmtpSink(SMTP_PORT)
        try:
            if not args.reuse:
                create_database(
                    conf, "clearance_request,clearance_account,clearance_bench_tier,"
                    "clearance_bench_floor")
            results = run(args, conf, sink)
        finally:
            sink.stop()
        finished = datetime.datetime.utcnow()
        results.update(started=started.strftime("%Y-%m-%d %H:%M:%S"),
                       finished=finished.strftime("%Y-%m-%d %H:%M:%S"),
                       argv=sys.argv[1:])
        with open(saved, "w") as handle:
            json.dump(results, handle, default=sorted)
    print_summary(results)
    text = report(results, started, finished)
    with open(os.path.join(ROOT, "benchmarks", "RESULTS.md"), "w") as handle:
        handle.write(text + "\n")
    log("wrote benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
