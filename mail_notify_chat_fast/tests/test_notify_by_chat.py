"""A message tells the bus only whom it notifies by chat."""
from odoo.tests.common import TransactionCase, at_install, post_install


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestNotifyByChat(TransactionCase):

    def setUp(self):
        super().setUp()
        self.message = self.env["mail.message"].create({
            "body": "<p>A note</p>", "model": "res.partner",
            "res_id": self.env.ref("base.main_partner").id,
            "message_type": "comment"})
        self.message.invalidate_cache()
        self.Bus = self.env["bus.bus"]

    def bus_rows(self):
        self.Bus.invalidate_cache()
        return self.Bus.sudo().search_count([])

    def test_nobody_to_tell_costs_no_query_and_no_bus_message(self):
        before = self.bus_rows()
        queries = self.cr.sql_log_count
        self.env["res.partner"]._notify_by_chat(self.message)
        self.assertEqual(self.cr.sql_log_count - queries, 0)
        self.assertEqual(self.bus_rows(), before)

    def test_a_partner_to_tell_still_gets_the_message(self):
        user = self.env["res.users"].with_context(no_reset_password=True).create({
            "name": "Chat Reader", "login": "chat.reader",
            "notification_type": "inbox",
            "groups_id": [(6, 0, [self.env.ref("base.group_user").id])]})
        before = self.bus_rows()
        user.partner_id._notify_by_chat(self.message)
        self.assertEqual(self.bus_rows(), before + 1)
