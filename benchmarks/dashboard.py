"""The managers' office dashboard at a size: its summary page's reads.

`bench_dashboard(registry, uid)` renders the summary page's table of
offices (the figures of the last four weeks, one query on the steps' view,
then the stages and the page's template) as the user `uid`, a clearance
manager, record rules on, each run in its own transaction as the server
would serve the page; the time includes the commit."""
import statistics
import time

RUNS = 5
CONTEXT = {"lang": "en_US", "tz": "Asia/Tehran"}


def _render_once(registry, uid):
    from odoo import api
    with api.Environment.manage(), registry.cursor() as cr:
        env = api.Environment(cr, uid, dict(CONTEXT))
        start_queries = cr.sql_log_count
        start = time.perf_counter()
        html = env["clearance.step.report"].render_summary()
        cr.commit()
        elapsed = time.perf_counter() - start
        queries = cr.sql_log_count - start_queries
    assert b"o_clearance_dashboard_table" in html, html[:500]
    return elapsed, queries


def bench_dashboard(registry, uid, runs=RUNS):
    """{"queries": n, "seconds": s}: the median time of `runs` loads of the
    summary page as `uid` after one to warm the caches, and the most
    queries one of them ran."""
    _render_once(registry, uid)
    samples = [_render_once(registry, uid) for _i in range(runs)]
    return {"queries": max(q for _t, q in samples),
            "seconds": statistics.median(t for t, _q in samples)}
