import random

import odoo
from odoo import api, models
from odoo.addons.bus.models.bus import hashable, json_dump


class ImBus(models.Model):
    """Odoo 11's `sendmany` registers, at each call, its own after-commit
    NOTIFY on a new connection to the `postgres` database (connections to it
    are not pooled): a transaction that tells four users something opens
    four connections after its commit. Here the transaction's channels are
    gathered, and told in one NOTIFY once it commits; nothing when it rolls
    back. The notifications themselves are written as before."""

    _inherit = "bus.bus"

    @api.model
    def sendmany(self,  # pylint: disable=method-required-super
                 notifications):
        channels = set()
        for channel, message in notifications:
            channels.add(hashable(channel))
            self.sudo().create({"channel": json_dump(channel),
                                "message": json_dump(message)})
            if random.random() < 0.01:
                self.gc()
        if channels:
            self._notify_at_commit(channels)

    def _notify_at_commit(self, channels):
        cr = self.env.cr
        # Cursor.__getattr__ falls back to psycopg2's cursor: no default
        # attribute of that name there either.
        pending = getattr(cr, "_bus_pending_channels", None)
        if pending is None:
            pending = cr._bus_pending_channels = set()

            def notify():
                cr._bus_pending_channels = None
                with odoo.sql_db.db_connect("postgres").cursor() as pg_cr:
                    pg_cr.execute("notify imbus, %s",
                                  (json_dump(list(pending)),))

            def forget():
                cr._bus_pending_channels = None

            # Both are dropped at the other event: one of them runs.
            cr.after("commit", notify)
            cr.after("rollback", forget)
        pending.update(channels)
