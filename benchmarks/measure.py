"""Measuring a step as the server runs it: its queries and time, in its own
transaction, and the work done right after its commit; the officer's queue."""
import statistics
import time

import odoo
from odoo import api

from .settings import CONTEXT, LIST_FIELDS, QUEUE_OFFICE


class Cost:
    """What one transaction cost: the click (up to and including its
    commit) and, apart, the work Odoo does right after the commit (the
    handlers the transaction registered with `cr.after('commit', ...)`: the
    step's mails sent to the SMTP server)."""

    def __init__(self, click_s, click_q, after_s=0.0, after_q=0, hooks=(),
                 result=None):
        self.click_s, self.click_q = click_s, click_q
        self.after_s, self.after_q = after_s, after_q
        self.hooks, self.result = list(hooks), result


def hook_name(func):
    return getattr(func, "__qualname__", repr(func)).replace(".<locals>", "")


def run_step(registry, uid, action, context=None, on_commit=None):
    """Run action(env) in its own transaction, as a server does a click:
    a Cost. The after-commit handlers run right after the commit, in order,
    as `cr.commit()` runs them, but are timed and counted apart (after
    on_commit() is called, when given)."""
    with api.Environment.manage():
        cr = registry.cursor()
        hooks = []
        register = cr.after

        def after(event, func):
            if event == "commit":
                hooks.append(func)
            else:
                register(event, func)

        cr.after = after
        try:
            env = api.Environment(cr, uid, dict(CONTEXT, **(context or {})))
            start_queries = cr.sql_log_count
            start = time.perf_counter()
            result = action(env)
            cr.commit()
            elapsed = time.perf_counter() - start
            queries = cr.sql_log_count - start_queries
        finally:
            cr.after = register
            cr.close()
    if on_commit:
        on_commit()
    # the handlers' cursors add their queries to sql_counter when closed
    before = odoo.sql_db.sql_counter
    start = time.perf_counter()
    for func in hooks:
        func()
    after_s = time.perf_counter() - start
    return Cost(elapsed, queries, after_s, odoo.sql_db.sql_counter - before,
                [hook_name(f) for f in hooks], result)


def measure(registry, uid, action, context=None):
    """Run action(env) in its own transaction: (seconds, queries, result).

    The time includes the commit; the queries are those the cursor ran."""
    cost = run_step(registry, uid, action, context)
    assert not cost.hooks, cost.hooks
    return cost.click_s, cost.click_q, cost.result


def queue_read(env):
    return env["clearance.request"].search_read(
        [("is_my_turn", "=", True)], LIST_FIELDS, limit=80)


def web_list_load(env):
    """What the web client does for a list: search_read, then the count
    when the page is full."""
    rows = queue_read(env)
    if len(rows) == 80:
        env["clearance.request"].search_count([("is_my_turn", "=", True)])
    return rows


def median_run(registry, uid, action, runs):
    times, counts, result = [], set(), None
    for _i in range(runs):
        elapsed, queries, result = measure(registry, uid, action)
        times.append(elapsed)
        counts.add(queries)
    return statistics.median(times), counts, result


def bench_queue(registry, people, runs):
    """The officer's and the manager's reads, alternated so that the load
    of the machine weighs the same on both."""
    officer = people.officers[QUEUE_OFFICE]
    out = {}
    for name, action in (("search_read", queue_read),
                         ("web list (search_read + search_count)", web_list_load)):
        samples = {officer: ([], set()), people.manager: ([], set())}
        rows = {}
        for _i in range(runs):
            for uid, (times, counts) in samples.items():
                elapsed, queries, rows[uid] = measure(registry, uid, action)
                times.append(elapsed)
                counts.add(queries)
        assert [r["id"] for r in rows[officer]] == [
            r["id"] for r in rows[people.manager]], \
            "the officer and the manager see different queues"
        t_off, t_man = (statistics.median(samples[u][0])
                        for u in (officer, people.manager))
        out[name] = {"officer_s": t_off, "manager_s": t_man,
                     "officer_q": samples[officer][1],
                     "manager_q": samples[people.manager][1],
                     "rows": len(rows[officer]), "ratio": t_off / t_man}
    return out


def explain_queue(registry, uid):
    """EXPLAIN ANALYZE of the queue's main query as the officer runs it."""
    captured = []
    with api.Environment.manage():
        cr = registry.cursor()
        execute = cr.execute

        def capturing(query, params=None, log_exceptions=True):
            if isinstance(query, str) and query.lstrip().startswith(
                    'SELECT "clearance_request".id'):
                captured.append((query, params))
            return execute(query, params, log_exceptions)

        cr.execute = capturing
        try:
            env = api.Environment(cr, uid, dict(CONTEXT))
            env["clearance.request"].search([("is_my_turn", "=", True)], limit=80)
            cr.execute = execute
            query, params = captured[-1]
            cr.execute("EXPLAIN ANALYZE " + query, params)
            plan = [row[0] for row in cr.fetchall()]
        finally:
            cr.execute = execute
            cr.rollback()
            cr.close()
    return plan
