"""The longpolling bus is told once per committed transaction."""
import json
import select
import uuid

from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests.common import TransactionCase, at_install, post_install


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestNotifyOnce(TransactionCase):
    """Each transaction here is a real one, committed or rolled back, and a
    real listener on the `postgres` database counts the NOTIFYs, as the
    longpolling server does."""

    def setUp(self):
        super().setUp()
        self.tag = "bus_notify_once-%s" % uuid.uuid4().hex
        self.listener = odoo.sql_db.db_connect("postgres").cursor()
        self.listener._cnx.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
        self.listener.execute("LISTEN imbus")
        self.addCleanup(self.listener.close)
        self.addCleanup(self.delete_notifications)

    def delete_notifications(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM bus_bus WHERE channel LIKE %s",
                       ['%' + self.tag + '%'])

    def received(self):
        """The channels of each NOTIFY of this test that came in."""
        connection = self.listener._cnx
        payloads = []
        while select.select([connection], [], [], 1.0)[0]:
            connection.poll()
            while connection.notifies:
                payloads.append(json.loads(connection.notifies.pop(0).payload))
        return [sorted(channel[1] for channel in payload)
                for payload in payloads
                if any(self.tag in json.dumps(channel) for channel in payload)]

    def channel(self, name):
        return (self.tag, name)  # as Odoo names its channels

    def test_a_transaction_telling_three_users_notifies_once(self):
        with self.registry.cursor() as cr:
            bus = api.Environment(cr, SUPERUSER_ID, {})["bus.bus"]
            bus.sendone(self.channel("a"), {"n": 1})
            bus.sendone(self.channel("b"), {"n": 2})
            bus.sendmany([(self.channel("c"), {"n": 3}),
                          (self.channel("a"), {"n": 4})])
            self.assertEqual(self.received(), [], "told before the commit")
        self.assertEqual(self.received(), [["a", "b", "c"]])
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM bus_bus WHERE channel LIKE %s",
                       ['%' + self.tag + '%'])
            self.assertEqual(cr.fetchone()[0], 4)

    def test_a_rolled_back_transaction_tells_nothing(self):
        with self.registry.cursor() as cr:
            bus = api.Environment(cr, SUPERUSER_ID, {})["bus.bus"]
            bus.sendone(self.channel("gone"), {"n": 1})
            cr.rollback()
            bus.sendone(self.channel("kept"), {"n": 2})
        self.assertEqual(self.received(), [["kept"]])

    def test_each_commit_of_a_cursor_tells_its_own_channels(self):
        with self.registry.cursor() as cr:
            bus = api.Environment(cr, SUPERUSER_ID, {})["bus.bus"]
            bus.sendone(self.channel("first"), {"n": 1})
            cr.commit()  # pylint: disable=invalid-commit
            bus.sendone(self.channel("second"), {"n": 2})
        self.assertEqual(self.received(), [["first"], ["second"]])
