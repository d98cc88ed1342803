"""The report: benchmarks/RESULTS.md and the summary on stdout."""
import os
import platform
import re
import shlex
import statistics

import odoo

from . import bulk
from .settings import QUEUE_OFFICE, SMTP_PORT
from .sources import BUS_GC


def machine():
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = re.search(r"model name\s*:\s*(.*)", handle.read()).group(1)
    except (OSError, AttributeError):
        pass
    try:
        with open("/proc/meminfo") as handle:
            mem = int(re.search(r"MemTotal:\s*(\d+)", handle.read()).group(1))
        mem = "%.0f GiB" % (mem / 1024.0 / 1024)
    except (OSError, AttributeError):
        mem = "?"
    return "%s, %d cores, %s RAM, %s, Python %s" % (
        cpu, os.cpu_count(), mem, platform.platform(), platform.python_version())


def label(size):
    return "%dk" % (size // 1000) if size >= 1000 else str(size)


def fmt_counts(counts):
    low, high = min(counts), max(counts)
    return str(low) if low == high else "%d-%d" % (low, high)


def ms(seconds):
    return "%.0f" % (seconds * 1000) if seconds >= 0.01 else "%.1f" % (seconds * 1000)


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" for _h in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def cost_cell(counts, seconds):
    return "%s / %s" % (fmt_counts(counts), ms(seconds))


def ratio(ours, peer):
    """(time ratio, query ratio) of two (seconds, counts) medians."""
    return (ours[0] / peer[0],
            statistics.mean(ours[1]) / statistics.mean(peer[1]))


def report(results, started, finished):
    sizes = [label(r["size"]) for r in results["sizes"]]
    out = ["# Benchmark results", ""]
    out += ["- Machine: %s" % machine(),
            "- Date: %s (run took %.0f min)" % (
                started.strftime("%Y-%m-%d %H:%M UTC"),
                (finished - started).total_seconds() / 60),
            "- Command: `bin/clearance bench%s`" % "".join(
                " " + shlex.quote(a) for a in results["argv"]),
            "- Load average before / after: %s / %s (other processes share "
            "this machine; times are medians)" % (
                results["load_before"], results["load_after"]),
            "- Code measured: %s" % results["code"],
            "- PostgreSQL %s (fsync off, Unix socket); Odoo %s; each action in "
            "its own transaction as the acting user, record rules on; time "
            "includes the commit" % (results["pg"], odoo.release.version),
            "- Mail: the database's outgoing mail server is a local SMTP sink "
            "(Python's smtpd, 127.0.0.1:%d) that accepts every mail, its "
            "sockets without Nagle's delay (TCP_NODELAY: smtpd writes a "
            "reply of several lines a line at a time, which the client's "
            "delayed acknowledgement held for about 30 ms a mail); the "
            "benchmark runs as a server does, not in test mode, so each "
            "step's mails are sent right after its commit" % results.get(
                "smtp_port", SMTP_PORT),
            "- Requests in the database when each size was measured: %s "
            "(filler: copies, made in SQL, of requests that went through the "
            "real actions, with their chatter, tracking values, followers "
            "and to-dos; as many tier-validated peer documents)" % ", ".join(
                str(r["requests"]) for r in results["sizes"]),
            ""]
    out += ["## Targets", "", table(["target", "measured", "met"],
                                    targets(results)), ""]
    out += ["## Each step (queries / ms)", "",
            "A second-shift student's request: the student's submit, then each "
            "office's officer forwards it (the stage form is saved before, in "
            "its own transaction, not counted). Before the `+`: the click, one "
            "transaction with everything the step does: its writes, the "
            "chatter line (Odoo's field tracking), the to-dos moved to the "
            "next office and the automated actions' mails rendered and "
            "queued, and the commit. After the `+`: what the same server "
            "thread does right after the commit (the handlers registered "
            "with `cr.after('commit')`: the step's mails sent to the SMTP "
            "server, then deleted from the queue). Median of %s requests per "
            "size (fewer when the size's time budget ran out); the query "
            "count is the same for each request unless a range is shown (%s)."
            % ("/".join(str(r["runs"]) for r in results["sizes"]), BUS_GC), ""]
    header = ["step"] + ["%s requests" % n for n in sizes]
    steps = [step[0] for step in results["sizes"][0]["steps"]]
    rows = []
    for index, name in enumerate(steps):
        row = [name]
        for size in results["sizes"]:
            _n, elapsed, counts, after_s, after_q = size["steps"][index]
            row.append("%s + %s" % (cost_cell(counts, elapsed),
                                    cost_cell(after_q, after_s)))
        rows.append(row)
    out += [table(header, rows), ""]
    out += ["## Against OCA base_tier_validation 11.0 (eleven tiers)", "",
            "`validate_tier` by each tier's reviewer, as that reviewer, on a "
            "document with eleven tiers (ten office groups and one named "
            "user), against our office forwards to a next office (stages "
            "2-10), per click. `validate_tier` writes the review and posts a "
            "note in the document's chatter. Our forward writes the office's "
            "step and the request, tracks stage and status into a chatter "
            "line, closes the office's to-dos and gives the next office "
            "theirs, and queues the student's mail through an automated "
            "action and its template; after the commit it sends that mail. "
            "Both run in the same database, whose one core fix "
            "(`res.partner._notify_by_chat` returns at once when nobody is "
            "to be told) makes every message cheaper, the peer's note too.",
            ""]
    rows = []
    for size in results["sizes"]:
        peer, ours = size["peer"], size["ours_forward"]
        after, total = size["ours_after"], size["ours_total"]
        click_t, click_q = ratio(ours, peer)
        total_t, total_q = ratio(total, size["peer_total"])
        rows.append([label(size["size"]), cost_cell(ours[1], ours[0]),
                     cost_cell(after[1], after[0]),
                     cost_cell(peer[1], peer[0]),
                     cost_cell(size["peer_after"][1], size["peer_after"][0]),
                     "x%.2f / x%.2f" % (click_q, click_t),
                     "x%.2f / x%.2f" % (total_q, total_t)])
    out += [table(["requests (and peer documents)", "our forward: click",
                   "its mail sent after commit", "validate_tier: click",
                   "its after-commit work",
                   "click ratio ours/peer (queries / time)",
                   "whole work ratio, click + after commit"], rows), ""]
    if "floor" in results["sizes"][0]:
        out += floor_lines(results)
    hooks = {}
    for name in results["sources_cost"][2]:
        hooks[name] = hooks.get(name, 0) + 1
    out += ["## Where the queries go (%s requests)" % sizes[-1], "",
            "One office forward (Kharazmi Library, to the next office) as its "
            "officer, click and after-commit work. Each query of the click is "
            "counted under the first kind of work found on its call stack, "
            "in this order: record rules (a rule's domain resolved, an access "
            "check), the automated actions' Before/After conditions, the "
            "lookup of the automated actions, template rendering, the mail's "
            "creation, tracking, to-dos, a message posted, the server "
            "action's context; then the old values the automated actions "
            "read before the write, the workflow's checks and lock, and the "
            "step's own writes and reads. Beside each kind, the addon's "
            "method that led to it. Click: %d queries; after commit: %d, in "
            "%s." % (
                results["sources_cost"][0], results["sources_cost"][1],
                ", ".join("%s%s" % ("%dx " % n if n > 1 else "", name)
                          for name, n in sorted(hooks.items())) or "nothing"),
            ""]
    out += [table(["kind of work", "queries", "by clearance method"],
                  source_rows(results["sources"])), ""]
    out += ["Where the time goes: a thread samples the clicking thread's "
            "stack every millisecond during eight forwards of one request "
            "(department to dormitories) and eight `validate_tier` of one "
            "document, and puts each sample under the kind of work on the "
            "stack, as above (a query's wait for the database included); ms "
            "per click, the click's and the after-commit work's measured "
            "time shared in proportion of the samples (the sampling itself "
            "slows the clicks a little).", ""]
    kinds = sorted(set(results["time_sources"]) | set(results["peer_time_sources"]),
                   key=lambda k: -results["time_sources"].get(k, 0))
    out += [table(["kind of work", "forward ms", "validate_tier ms"], [
        [kind, ms(results["time_sources"].get(kind, 0)),
         ms(results["peer_time_sources"].get(kind, 0))] for kind in kinds] + [
        ["total", ms(sum(results["time_sources"].values())),
         ms(sum(results["peer_time_sources"].values()))]]), ""]
    out += ["The peer's first `validate_tier` of a document, the same way "
            "(click: %d queries; after commit: %d):" % tuple(
                results["peer_sources_cost"][:2]), ""]
    out += [table(["kind of work", "queries", "by base_tier_validation's method"],
                  source_rows(results["peer_sources"])), ""]
    out += ["## Officer's queue: 80 rows of My queue", "",
            "`search_read([('is_my_turn', '=', True)], <list view fields>, "
            "limit=80)` in `_order`, as an officer of %s under record rules, "
            "against a clearance manager who is a member of the same office "
            "(same rows). Median of %d runs each, alternated." % (
                QUEUE_OFFICE, results["queue_runs"]), ""]
    rows = []
    for size in results["sizes"]:
        for name, q in size["queue"].items():
            rows.append([label(size["size"]), name, q["rows"],
                         "%s / %s" % (fmt_counts(q["officer_q"]), ms(q["officer_s"])),
                         "%s / %s" % (fmt_counts(q["manager_q"]), ms(q["manager_s"])),
                         "%.2f" % q["ratio"]])
    out += [table(["requests", "read", "rows", "officer q / ms", "manager q / ms",
                   "ratio"], rows), ""]
    if results.get("explain"):
        out += ["Plan of the officer's queue query at %s requests:" % sizes[-1], "",
                "```"] + results["explain"] + ["```", ""]
    out += ["## Student portal (queries / ms)", "",
            results["portal_how"], ""]
    pages = [row[0] for row in results["sizes"][0]["portal"]]
    rows = []
    for index, page in enumerate(pages):
        row = [page]
        for size in results["sizes"]:
            _l, elapsed, counts = size["portal"][index]
            row.append("%s / %s" % (fmt_counts(counts), ms(elapsed)))
        rows.append(row)
    out += [table(["page"] + ["%s requests" % n for n in sizes], rows), ""]
    out += ["## Managers' office dashboard", "",
            "The summary page's table of offices (the last four weeks' "
            "figures: one query on the steps' view, counting each office's "
            "cleared steps by their days in hundredths of a day for the "
            "percentiles), rendered as a clearance manager, record rules on; "
            "median of 5 loads after one to warm the caches. The filler "
            "dates every step of the database in the last four weeks: at "
            "100k requests the table covers all of their cleared steps.", ""]
    out += [table(["requests", "queries", "ms"], [
        [label(size["size"]), size["dashboard"]["queries"],
         ms(size["dashboard"]["seconds"])]
        for size in results["sizes"] if "dashboard" in size]), ""]
    if results.get("bulk"):
        out += bulk.report_lines(results["bulk"])
    thr = results["throughput"]
    out += ["## Throughput", "",
            "%(queued)d requests waiting at the first office (copies of a "
            "submitted second-shift request) in a database of %(db)d requests; "
            "%(workers)d worker processes (one per core), each an Odoo process "
            "serving its officers' clicks one transaction at a time (stage form "
            "saved when the stage has one, then forward, then the forward's "
            "mail sent to the SMTP sink right after the commit, as a server "
            "does), drive their share request by request through every "
            "stage%(budget)s. Nothing else runs: every consequence of a "
            "forward is in its click and its after-commit sending. As Odoo's "
            "server does, a transaction that PostgreSQL fails for a "
            "concurrent update is done again after a random pause." % dict(
                thr, db=results["db_total"],
                budget=(", for at most %d s" % thr["budget_s"]
                        if thr["budget_s"] else "")), ""]
    projected = thr["queued"] * 10 / thr["per_s"] / 60
    rows = [["our forwards"] + throughput_row(thr) + ["%.0f min" % projected]]
    floor = results.get("floor_throughput")
    if floor:
        rows.append(["the floor's forwards (%d documents)" % floor["queued"]]
                    + throughput_row(floor) + ["-"])
        out += ["Then the same run, for at most %d s, with the floor's "
                "documents (above): the rate Odoo's mechanisms alone allow "
                "on this machine, every consequence included." %
                floor["budget_s"], ""]
    out += [table(["run", "forwards", "requests cleared", "wall s",
                   "forwards/s", "peak RSS per worker (MiB)",
                   "workers' time in clicks / in after-commit sending",
                   "mails received by the SMTP sink",
                   "mails left in the queue",
                   "transactions done again after a concurrency failure",
                   "all %d requests would take" % thr["queued"]], rows), ""]
    return "\n".join(out)


def floor_lines(results):
    """The floor: the forward's consequences on Odoo's mechanisms alone."""
    out = ["## The floor: the same consequences on Odoo's mechanisms alone", "",
           "A document of a model made for the benchmark "
           "(`benchmarks/addons/clearance_bench_floor`), sent on through the "
           "ten offices of the second-shift request above by the same "
           "officers, with only what the "
           "forward must cause, each done the way Odoo 11 does it: one write "
           "of its office and status, tracked into a chatter line under a "
           "subtype; one automated action on the write whose template queues "
           "the student's mail (sent right after the commit, to the same "
           "SMTP sink); the office's to-dos handed over to the next office's "
           "two members in the same transaction. No check, lock, record rule, "
           "service level, substitution or history beyond Odoo's own. It is "
           "what any forward built on these mechanisms costs at least; "
           "`validate_tier` gives no to-do and queues no mail, and its note "
           "is a message posted without tracking.", ""]
    rows = []
    for size in results["sizes"]:
        floor, peer, ours = size["floor"], size["peer"], size["ours_forward"]
        floor_t, floor_q = ratio(floor, peer)
        ours_t, ours_q = ratio(ours, floor)
        rows.append([label(size["size"]), cost_cell(floor[1], floor[0]),
                     cost_cell(size["floor_after"][1], size["floor_after"][0]),
                     cost_cell(peer[1], peer[0]),
                     "x%.2f / x%.2f" % (floor_q, floor_t),
                     cost_cell(ours[1], ours[0]),
                     "x%.2f / x%.2f" % (ours_q, ours_t)])
    out += [table(["requests", "floor: click", "its mail sent after commit",
                   "validate_tier: click",
                   "floor / validate_tier (queries / time)",
                   "our forward: click", "ours / floor (queries / time)"],
                  rows), ""]
    if results.get("floor_sources"):
        out += ["Where the floor's click queries go (%d; after commit: %d), "
                "by the same kinds as below:" % tuple(
                    results["floor_sources_cost"][:2]), ""]
        out += [table(["kind of work", "queries", "by"],
                      source_rows(results["floor_sources"])), ""]
    return out


def throughput_row(thr):
    busy = max(thr["click_s"] + thr["after_s"], 0.001)
    return [thr["forwards"], thr["cleared"], "%.0f" % thr["wall_s"],
            "%.1f" % thr["per_s"],
            ", ".join("%.0f" % m for m in thr["maxrss_mb"]),
            "%.0f%% / %.0f%%" % (100 * thr["click_s"] / busy,
                                 100 * thr["after_s"] / busy),
            thr["mails_received"],
            ", ".join("%s %s" % item for item in sorted(
                thr["queue_after"].items())) or "none",
            thr.get("retries", 0)]


def targets(results):
    """The targets against the numbers of this run."""
    sizes = results["sizes"]
    first, last = sizes[0], sizes[-1]
    rows = []
    for size in sizes:
        click_t, click_q = ratio(size["ours_forward"], size["peer"])
        rows.append(["a forward's click (chatter, to-dos and queued mail "
                     "included) <= 2x validate_tier's queries and time "
                     "(%s)" % label(size["size"]),
                     "%s q / %s ms against %s q / %s ms: queries x%.2f, "
                     "time x%.2f" % (
                         fmt_counts(size["ours_forward"][1]),
                         ms(size["ours_forward"][0]),
                         fmt_counts(size["peer"][1]), ms(size["peer"][0]),
                         click_q, click_t),
                     "yes" if click_q <= 2 and click_t <= 2 else "no"])
    for size in (first, last):
        total_t, total_q = ratio(size["ours_total"], size["peer_total"])
        rows.append(["for comparison, not a target: the whole work, click "
                     "and after-commit sending, against validate_tier's "
                     "(%s)" % label(size["size"]),
                     "%s q / %s ms: queries x%.2f, time x%.2f" % (
                         fmt_counts(size["ours_total"][1]),
                         ms(size["ours_total"][0]), total_q, total_t),
                     "-"])
    for size in (first, last):
        if "floor" not in size:
            continue
        floor_t, floor_q = ratio(size["floor"], size["peer"])
        rows.append(["for comparison, not a target: the floor, the same "
                     "consequences on Odoo's mechanisms alone, against "
                     "validate_tier (%s)" % label(size["size"]),
                     "%s q / %s ms: queries x%.2f, time x%.2f" % (
                         fmt_counts(size["floor"][1]), ms(size["floor"][0]),
                         floor_q, floor_t),
                     "-"])
    # The last office's forward clears the request: other writes, another
    # mail. The count is compared over the offices that send it on, each
    # step's smallest count of the size (see BUS_GC).
    sending = {min(step[2]) for s in sizes for step in s["steps"][1:-1]}
    extra = {max(step[2]) - min(step[2]) for s in sizes for step in s["steps"]}
    rows.append(["queries of a forward the same at every stage and every size",
                 "forwards to a next office: %s; the last office's (it clears "
                 "the request): %s; submit: %s%s" % (
                     ", ".join(str(c) for c in sorted(sending)),
                     ", ".join(sorted({str(min(s["steps"][-1][2]))
                                       for s in sizes})),
                     ", ".join(sorted({str(min(s["steps"][0][2]))
                                       for s in sizes})),
                     "; now and then %s more (%s)" % (
                         "/".join(str(e) for e in sorted(extra - {0})), BUS_GC)
                     if extra - {0} else ""),
                 "yes" if len(sending) == 1 else "no"])
    change = max(
        max(min(s["steps"][i][2]) for s in sizes)
        - min(min(s["steps"][i][2]) for s in sizes)
        for i in range(len(first["steps"])))
    rows.append(["queries of every step not growing with the data",
                 "largest change of a step's count from %s to %s: %d" % (
                     label(first["size"]), label(last["size"]), change),
                 "yes" if change == 0 else "no"])
    growth = last["ours_forward"][0] / first["ours_forward"][0]
    rows.append(["time per forward not growing with the data",
                 "%s ms at %s, %s ms at %s (x%.1f)" % (
                     ms(first["ours_forward"][0]), label(first["size"]),
                     ms(last["ours_forward"][0]), label(last["size"]), growth),
                 "yes" if growth < 1.5 else "no"])
    ratio_q = last["queue"]["search_read"]["ratio"]
    rows.append(["My queue as an officer <= 1.5x the manager's read (%s)" % label(last["size"]),
                 "x%.2f" % ratio_q, "yes" if ratio_q <= 1.5 else "no"])
    portal = {fmt_counts(c) for s in sizes for _p, _t, c in s["portal"]}
    rows.append(["portal queries independent of requests and stages",
                 "%s over every page and size" % ", ".join(sorted(portal)),
                 "yes" if all(
                     [fmt_counts(c) for _p, _t, c in s["portal"]]
                     == [fmt_counts(c) for _p, _t, c in first["portal"]]
                     for s in sizes) else "no"])
    thr = results["throughput"]
    left = sum(thr["queue_after"].values()) - sum(thr["queue_before"].values())
    rows.append(["%d requests through every stage by two officer processes, "
                 "every consequence included (mails sent after each commit): "
                 ">= 30 forwards/s" % thr["queued"],
                 "%d cleared in %.0f s: %.1f forwards/s; peak RSS %s MiB per "
                 "worker; %d mails received by the SMTP sink, %d more left in "
                 "the queue" % (
                     thr["cleared"], thr["wall_s"], thr["per_s"],
                     ", ".join("%.0f" % m for m in thr["maxrss_mb"]),
                     thr["mails_received"], left),
                 "yes" if thr["cleared"] == thr["queued"] and thr["per_s"] >= 30
                 and left <= 0 else "no"])
    floor = results.get("floor_throughput")
    if floor:
        rows.append(["for comparison, not a target: the floor's forwards by "
                     "two processes, every consequence included",
                     "%.1f forwards/s (%d in %.0f s)" % (
                         floor["per_s"], floor["forwards"], floor["wall_s"]),
                     "-"])
    return rows


def print_summary(results):
    for size in results["sizes"]:
        print("\n%s requests (%d in the database)" % (label(size["size"]), size["requests"]))
        print("  %-26s %8s %8s %10s %10s" % (
            "step", "queries", "ms", "after q", "after ms"))
        for name, elapsed, counts, after_s, after_q in size["steps"]:
            print("  %-26s %8s %8s %10s %10s" % (
                name, fmt_counts(counts), ms(elapsed), fmt_counts(after_q),
                ms(after_s)))
        ours, peer = size["ours_forward"], size["peer"]
        after = size["ours_after"]
        print("  forward (median)           %8s %8s %10s %10s" % (
            fmt_counts(ours[1]), ms(ours[0]), fmt_counts(after[1]), ms(after[0])))
        print("  peer validate_tier         %8s %8s %10s %10s" % (
            fmt_counts(peer[1]), ms(peer[0]), fmt_counts(size["peer_after"][1]),
            ms(size["peer_after"][0])))
        if "floor" in size:
            print("  floor (Odoo's alone)       %8s %8s %10s %10s" % (
                fmt_counts(size["floor"][1]), ms(size["floor"][0]),
                fmt_counts(size["floor_after"][1]), ms(size["floor_after"][0])))
        if "dashboard" in size:
            print("  managers' office dashboard %s q %s ms" % (
                size["dashboard"]["queries"], ms(size["dashboard"]["seconds"])))
        print("  ratio ours/peer: time %.2f, queries %.2f" % (
            ours[0] / peer[0],
            statistics.mean(ours[1]) / statistics.mean(peer[1])))
        for name, q in size["queue"].items():
            print("  queue %-36s officer %s q %s ms, manager %s q %s ms, ratio %.2f" % (
                name, fmt_counts(q["officer_q"]), ms(q["officer_s"]),
                fmt_counts(q["manager_q"]), ms(q["manager_s"]), q["ratio"]))
        for page, elapsed, counts in size["portal"]:
            print("  portal %-34s %8s %8s" % (page, fmt_counts(counts), ms(elapsed)))
    print("\nwhere a forward's queries go (click %s, after commit %s):" % tuple(
        results["sources_cost"][:2]))
    for kind, count, callers in source_rows(results["sources"]):
        print("  %4d  %-55s %s" % (count, kind, callers))
    print("where the time goes (ms per click, ours / validate_tier):")
    for kind in sorted(set(results["time_sources"]) | set(results["peer_time_sources"]),
                       key=lambda k: -results["time_sources"].get(k, 0)):
        print("  %8s %8s  %s" % (ms(results["time_sources"].get(kind, 0)),
                                 ms(results["peer_time_sources"].get(kind, 0)), kind))
    print("where validate_tier's queries go (click %s, after commit %s):" % tuple(
        results["peer_sources_cost"][:2]))
    for kind, count, callers in source_rows(results["peer_sources"]):
        print("  %4d  %-55s %s" % (count, kind, callers))
    thr = results["throughput"]
    print("\nthroughput: %d forwards (%d requests cleared) by %d workers in %.0f s: "
          "%.1f forwards/s; peak RSS per worker %s MiB; %d mails received by "
          "the SMTP sink; mail queue after: %s" % (
              thr["forwards"], thr["cleared"], thr["workers"], thr["wall_s"],
              thr["per_s"], ", ".join("%.0f" % m for m in thr["maxrss_mb"]),
              thr["mails_received"], thr["queue_after"] or "empty"))
    floor = results.get("floor_throughput")
    if floor:
        print("floor throughput: %d forwards by %d workers in %.0f s: %.1f "
              "forwards/s; %d mails received" % (
                  floor["forwards"], floor["workers"], floor["wall_s"],
                  floor["per_s"], floor["mails_received"]))


def source_rows(sources):
    """(kind, queries, 'caller n, ...') by decreasing count."""
    rows = []
    for kind, callers in sources.items():
        rows.append((kind, sum(callers.values()), ", ".join(
            "%s %d" % item for item in sorted(
                callers.items(), key=lambda item: -item[1]))))
    return sorted(rows, key=lambda row: -row[1])
