"""Item 7 (and the domain bound of item 8): bad input in an RPC payload gets
a clear UserError before any SQL, and changes nothing."""
from .common import RpcCase


class TestBadInput(RpcCase):

    def setUp(self):
        super().setUp()
        self.employee.groups_id |= self.env.ref("base.group_partner_manager")

    def partners(self):
        return self.env["res.partner"].with_context(
            active_test=False).search_count([])

    def assert_bad(self, *call):
        return self.assert_refused(self.call_kw(*call), error="UserError")

    def test_bad_values_are_refused_before_sql(self):
        count = self.partners()
        self.login(self.employee)
        for vals in (
                {"name": "Nul\x00name"},
                {"name": {"first": "a"}},
                {"name": "Dated", "date": "2024-13-45"},
                {"name": "Dated", "date": {"year": 2024}},
                {"name": "Counted", "color": "many"},
                {"name": "Deep", "child_ids": [
                    [0, 0, {"name": "Child", "date": "yesterday"}]]},
                {"name": "Deep", "child_ids": [
                    [0, 0, {"name": "Child\x00"}]]},
                {"name": "Linked", "parent_id": {"id": 1}},
                {"name": "Typed", "type": "bogus"},
        ):
            self.assert_bad("res.partner", "create", [vals])
        self.assertEqual(self.partners(), count)
        partner = self.env["res.partner"].create({"name": "Kept"})
        self.assert_bad("res.partner", "write", [
            [partner.id], {"date": "31/12/2024"}])
        self.assert_bad("res.partner", "write", [
            [partner.id], {"comment": "a\x00b"}])
        partner.invalidate_cache()
        self.assertFalse(partner.date)
        self.assertFalse(partner.comment)

    def test_bad_searches_and_reads_are_refused(self):
        self.login(self.employee)
        self.assert_bad("res.partner", "search_read",
                        [[("name", "=", {"a": 1})]])
        self.assert_bad("res.partner", "search_read",
                        [[("date", "<", "yesterday")]])
        self.assert_bad("res.partner", "search_count", [],
                        {"args": [("name", "like", "a\x00")]})
        self.assert_bad("res.partner", "search_read",
                        [[["name", "=", "a"], {"b": 1}]])
        self.assert_bad("res.partner", "search_read", [[]],
                        {"fields": [{"name": 1}]})
        self.assert_bad("res.partner", "search_read", [[]],
                        {"order": {"name": "asc"}})
        self.assert_bad("res.partner", "search_read", [[]],
                        {"limit": "ten"})
        self.assert_bad("res.partner", "read", [
            [self.employee.partner_id.id], [["name"]]])
        self.assert_bad("res.partner", "search_count", [[]],
                        {"context": {"lang": {"code": "en_US"}}})
        self.assert_bad("res.partner", "search_count", [[]],
                        {"context": {"tz": "Mars/Olympus"}})
        # the caller cannot use the ORM's internal SQL operator
        self.assert_bad("res.partner", "search_count", [[
            ("id", "inselect", ("SELECT id FROM res_users", []))]])
        # good input still works
        result, error = self.call_kw("res.partner", "search_count", [[
            ("date", "<", "2030-01-01")]], {"context": {"tz": "Asia/Tehran"}})
        self.assertIsNone(error)
        self.assertIsInstance(result, int)

    def test_deep_domain_is_refused_clearly(self):
        """16,000 nested ORs: a clear error, not a database error."""
        self.login(self.employee)
        domain = ["|"] * 16000 + [["id", "=", 1]] * 16001
        message = self.assert_bad("res.partner", "search_count", [domain])
        self.assertIn("1000", message)
        # the widest domain allowed works: PostgreSQL takes its nesting
        domain = ["|"] * 999 + [["id", "=", 1]] * 1000
        result, error = self.call_kw("res.partner", "search_count", [domain])
        self.assertEqual((result, error), (1, None))
