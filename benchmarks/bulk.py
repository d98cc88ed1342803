"""Bulk clearing and automatic checks, measured per request.

- `bulk_forward(registry, count)`: an officer of the department forwards
  `count` requests of the queue through the bulk wizard, in one transaction
  (one click), record rules on; each request gets its own step, chatter line,
  mails queued and to-dos.
- `check_cost(registry, office, count)`: what an automatic check adds to the
  forward that brings a request to `office`: the same forward with the
  office's check off, then on (the check passes, so the system clears the
  step and sends the request on, in the same transaction).

Each returns {"queries", "seconds"} per request (plus what it measured).
Both commit their data in the database given: run them on a benchmark
database, never on one in use. Standalone, on a small copy of a database:

    .venv/bin/python benchmarks/bulk.py -c <odoo.conf> -d <database> [-n 20]
"""
import argparse
import contextlib
import json
import time

import odoo
from odoo import SUPERUSER_ID, api

CONTEXT = {"lang": "en_US", "tz": "Asia/Tehran"}
# the kinds of students a run makes (a digit of their student numbers)
TAGS = ["F", "C0", "C1"]
ROUTE = [
    "department", "library_kharazmi", "library_shirazi", "library_mullasadra",
    "counselling", "nutrition", "student_accounting", "dormitories",
    "welfare", "second_shift_accounting",
]


@contextlib.contextmanager
def transaction(registry, uid):
    """One committed transaction, like one request served by Odoo."""
    with api.Environment.manage(), registry.cursor() as cr:
        yield api.Environment(cr, uid, dict(CONTEXT))


def timed(registry, uid, action):
    """action(env) in its own transaction, as the server runs a click:
    (seconds including the commit, queries, result)."""
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, uid, dict(CONTEXT))
        start_queries = cr.sql_log_count
        start = time.perf_counter()
        result = action(env)
        cr.commit()
        return (time.perf_counter() - start, cr.sql_log_count - start_queries,
                result)


def officer(registry, office, number=1):
    """The benchmark's officer of `office` (made once)."""
    login = "bulk.%s.%d" % (office.replace("_", "."), number)
    with transaction(registry, SUPERUSER_ID) as env:
        user = env["res.users"].search([("login", "=", login)])
        if not user:
            user = env["res.users"].with_context(no_reset_password=True).create({
                "name": login, "login": login, "password": login,
                "email": "%s@bench.test" % login,
                "groups_id": [(6, 0, [env.ref(
                    "clearance_request.group_office_%s" % office).id])]})
        return user.id


def requests_at(registry, count, office, tag):
    """`count` submitted requests of new students, driven (checks off) to
    `office` with the offices' forms filled: their ids."""
    with transaction(registry, SUPERUSER_ID) as env:
        Request = env["clearance.request"]
        requests = Request.browse()
        for number in range(count):
            partner = env["res.partner"].create({
                "name": "Bulk %s %d" % (tag, number),
                # an address: each step's mail is sent, as a student's is
                "email": "bulk.%s.%d@students.test" % (tag.lower(), number),
                "student_number": "%d%d%04d" % (
                    TAGS.index(tag) + 1, int(time.time()) % 1000000, number),
                "student_shift": "day"})
            requests |= Request.create({
                "partner_id": partner.id, "reason": "withdrawal"})
        with checks_off(env):
            requests.action_submit()
            target = env.ref("clearance_request.stage_%s" % office)
            for request_id in requests.ids:
                # alone in its prefetch: each action clears the cache
                request = Request.browse(request_id)
                while True:
                    if request.current_line_id.kind == "card":
                        request.write({"cur_card_received": True})
                    if request.stage_id == target:
                        break
                    request.action_forward()
        return requests.ids


@contextlib.contextmanager
def checks_off(env):
    stages = env["clearance.stage"].search([("check_active", "=", True)])
    stages.write({"check_active": False})
    try:
        yield
    finally:
        stages.write({"check_active": True})


def bulk_forward(registry, count=500):
    """The department's officer forwards `count` requests at once."""
    request_ids = requests_at(registry, count, "department", "F")
    uid = officer(registry, "department")

    def confirm(env):
        wizard = env["clearance.bulk.action"].with_context(
            active_model="clearance.request", active_ids=request_ids)
        wizard = wizard.create(wizard.default_get(list(wizard._fields)))
        wizard.action_confirm()
        return wizard.done_count, wizard.refused_count

    seconds, queries, (done, refused) = timed(registry, uid, confirm)
    return {"queries": queries / count, "seconds": seconds / count,
            "requests": count, "moved": done, "refused": refused}


def check_cost(registry, office="library_kharazmi", count=20):
    """What the office's automatic check (passing) adds to the forward that
    brings a request there, per request. Only this office's check runs."""
    before = ROUTE[ROUTE.index(office) - 1]
    uid = officer(registry, before)
    stage_xmlid = "clearance_request.stage_%s" % office
    with transaction(registry, SUPERUSER_ID) as env:
        if not env.ref(stage_xmlid).check:
            raise ValueError("%s has no automatic check" % office)
        were_on = env["clearance.stage"].search(
            [("check_active", "=", True)]).ids
    results = {}
    try:
        for mode in (False, True):
            request_ids = requests_at(registry, count, before, "C%d" % int(mode))
            with transaction(registry, SUPERUSER_ID) as env:
                env["clearance.stage"].search([]).write({"check_active": False})
                env.ref(stage_xmlid).check_active = mode
            total_s = total_q = 0
            for request_id in request_ids:
                seconds, queries, _r = timed(
                    registry, uid, lambda env: env["clearance.request"].browse(
                        request_id).action_forward())
                total_s += seconds
                total_q += queries
            with transaction(registry, SUPERUSER_ID) as env:
                passed = env["clearance.request.line"].search_count([
                    ("request_id", "in", request_ids),
                    ("stage_id", "=", env.ref(stage_xmlid).id),
                    ("auto_decided", "=", True)])
            results[mode] = (total_q / count, total_s / count, passed)
    finally:
        with transaction(registry, SUPERUSER_ID) as env:
            stages = env["clearance.stage"].search([])
            stages.write({"check_active": False})
            stages.browse(were_on).write({"check_active": True})
    off_q, off_s = results[False][:2]
    on_q, on_s, passed = results[True]
    return {"queries": on_q - off_q, "seconds": on_s - off_s,
            "forward_without": {"queries": off_q, "seconds": off_s},
            "forward_with": {"queries": on_q, "seconds": on_s},
            "cleared_by_check": passed, "requests": count, "office": office}


def checked_offices(registry):
    """The offices whose stage has an automatic check (on or off)."""
    with transaction(registry, SUPERUSER_ID) as env:
        stages = env["clearance.stage"].search([("check", "!=", False)])
        return [office for office in ROUTE
                if env.ref("clearance_request.stage_%s" % office) in stages]


def make_officers(registry):
    """The officers measure_all acts as, made before the database is
    filled: a user added to an office group later has Odoo recompute the
    stored reviewers of every tier review of the peer (base_tier_validation
    computes them from the groups' users), in Python, for minutes at 100k
    documents."""
    offices = {"department"} | {ROUTE[ROUTE.index(office) - 1]
                                for office in checked_offices(registry)}
    return {office: officer(registry, office) for office in sorted(offices)}


def measure_all(registry, bulk_count=500, check_count=20):
    """Everything this file measures, for the benchmark's run()."""
    results = {"bulk_forward": bulk_forward(registry, bulk_count),
               "checks": {}}
    for office in checked_offices(registry):
        if office in ("library_kharazmi", "student_accounting"):
            results["checks"][office] = check_cost(registry, office, check_count)
    return results


def report_lines(results):
    """Markdown lines for RESULTS.md."""
    bulk = results["bulk_forward"]
    lines = ["## Bulk clearing and automatic checks", "",
             "One officer forwards %d requests of the queue through the bulk "
             "wizard in one click (each request its own step, chatter line, "
             "mails queued and to-dos; record rules on): %.1f queries and "
             "%.1f ms per request (%d moved, %d refused)." % (
                 bulk["requests"], bulk["queries"], bulk["seconds"] * 1000,
                 bulk["moved"], bulk["refused"]), ""]
    if results["checks"]:
        lines += ["| automatic check (passes) | forward without | forward with "
                  "| the check's cost per request |", "|---|---|---|---|"]
        for office, cost in sorted(results["checks"].items()):
            lines.append("| %s | %.1f q / %.1f ms | %.1f q / %.1f ms | "
                         "%.1f q / %.1f ms |" % (
                             office,
                             cost["forward_without"]["queries"],
                             cost["forward_without"]["seconds"] * 1000,
                             cost["forward_with"]["queries"],
                             cost["forward_with"]["seconds"] * 1000,
                             cost["queries"], cost["seconds"] * 1000))
        lines += ["", "With the check on, the forward also clears the "
                  "checked office's step as the system and sends the request "
                  "to the next office (its chatter line, mails and to-dos "
                  "included).", ""]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--conf", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("-n", "--count", type=int, default=20)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.conf, "-d", args.database])
    registry = odoo.registry(args.database)
    results = measure_all(registry, args.count, max(2, args.count // 4))
    print(json.dumps(results, indent=2))
    print("\n".join(report_lines(results)))


if __name__ == "__main__":
    main()
