import json
import logging

import odoo
from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)

# The limits past which the server is reported unhealthy, in seconds; each
# can be changed with the system parameter of the same name.
LIMITS = {
    # a mail waiting longer than this: the mail server refuses or is away
    "server_health.mail_max_age": 1800,
    # a scheduled action this late: no cron thread or worker runs them
    "server_health.cron_max_delay": 900,
}


class Health(http.Controller):

    @http.route("/health", type="http", auth="none", methods=["GET", "HEAD"],
                csrf=False)
    def health(self):
        """The server's health as JSON, with HTTP 200 when every figure is
        within its limit and 503 otherwise (or when the database cannot be
        reached), for a monitoring system or a load balancer. Figures only:
        no names, addresses or texts of the database."""
        healthy, report = self.report(request.db or http.db_monodb())
        return http.Response(
            json.dumps(report, sort_keys=True),
            status=200 if healthy else 503,
            headers=[("Content-Type", "application/json"),
                     ("Cache-Control", "no-store")])

    @classmethod
    def report(cls, dbname):
        """(healthy, figures) of database `dbname`."""
        report = {"database": "unreachable"}
        try:
            report.update(cls._figures(dbname))
        except Exception:  # any failure to reach the database is the answer
            _logger.warning("health check: the database cannot be reached",
                            exc_info=True)
        healthy = report["database"] == "ok" and not report.get("problems")
        report["status"] = "ok" if healthy else "fail"
        return healthy, report

    @staticmethod
    def _figures(dbname):
        if not dbname:
            raise LookupError("no database selected")
        # The registry's cursor (not an ORM environment): the figures are
        # read even when a module of the database fails to load its models.
        with odoo.registry(dbname).cursor() as cr:
            cr.execute("SELECT key, value FROM ir_config_parameter "
                       "WHERE key IN %s", [tuple(LIMITS)])
            limits = dict(LIMITS)
            for key, value in cr.fetchall():
                try:
                    limits[key] = int(value)
                except ValueError:
                    _logger.warning("health check: %s is not a number of "
                                    "seconds: %r", key, value)
            cr.execute("""
                SELECT count(*),
                       EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC')
                                          - min(create_date))
                  FROM mail_mail WHERE state = 'outgoing'""")
            outgoing, oldest = cr.fetchone()
            cr.execute("SELECT count(*) FROM mail_mail "
                       "WHERE state = 'exception'")
            failed = cr.fetchone()[0]
            cr.execute("""
                SELECT count(*),
                       EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC')
                                          - min(nextcall))
                  FROM ir_cron WHERE active AND numbercall != 0""")
            crons, late = cr.fetchone()
        figures = {
            "database": "ok",
            "mail_outgoing": outgoing,
            "mail_oldest_outgoing_seconds": max(0, int(oldest or 0)),
            "mail_failed": failed,
            "cron_active": crons,
            "cron_most_late_seconds": max(0, int(late or 0)),
            "limits": {key.split(".", 1)[1]: value
                       for key, value in limits.items()},
        }
        problems = []
        if figures["mail_oldest_outgoing_seconds"] > limits[
                "server_health.mail_max_age"]:
            problems.append("mail_queue")
        if figures["cron_most_late_seconds"] > limits[
                "server_health.cron_max_delay"]:
            problems.append("cron")
        figures["problems"] = problems
        return figures
