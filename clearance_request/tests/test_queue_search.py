"""My queue as an officer searches and reads it: a request found by the
student's number or name, typed with Persian digits or Arabic letters, or by
its reference; the requests past their office's target marked, and first in its order."""
from odoo.exceptions import UserError

from .common import ClearanceCase, make_student
from .test_service_levels import at


class TestQueueSearch(ClearanceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.student_named = make_student(
            cls.env, "98110077", "کاوه یزدی")
        cls.stages["department"].write({"sla_days": 2})

    def queue(self, domain, user=None):
        user = user or self.officers["department"]
        return self.Request.sudo(user).search(
            [("is_my_turn", "=", True)] + domain)

    def test_found_by_number_name_or_reference_as_typed(self):
        request = self.new_request(self.student_named)
        other = self.new_request()
        for typed in ("۹۸۱۱۰۰۷۷", "98110077", "٩٨١١٠٠٧٧", "کاوه",
                      "يزدي", request.name):
            self.assertEqual(
                self.queue([("search_text", "ilike", typed)]), request, typed)
        self.assertEqual(self.queue([("search_text", "=", "98110077")]),
                         request)
        self.assertIn(other, self.queue(
            [("search_text", "not ilike", "98110077")]))
        self.assertNotIn(request, self.queue(
            [("search_text", "not ilike", "98110077")]))
        # another office's queue does not have it, whatever is typed
        self.assertFalse(self.queue([("search_text", "ilike", "98110077")],
                                    self.officers["library_kharazmi"]))
        with self.assertRaises(UserError):
            self.Request.search([("search_text", "in", ["98110077"])])

    def test_overdue_requests_are_marked_and_sorted_first(self):
        # Saturday 1 Azar 1405, 09:00: due two working days later
        with at("2026-11-22 09:00"):
            late = self.new_request(self.student_named)
        fresh = self.new_request()
        self.assertTrue(late.date_due)
        self.assertEqual(late.date_due, late.sudo().current_line_id.date_due)
        self.assertTrue(late.is_overdue)
        self.assertFalse(fresh.is_overdue)
        self.assertEqual(self.queue([("is_overdue", "=", True)]), late)
        self.assertNotIn(late, self.queue([("is_overdue", "=", False)]))
        self.assertIn(fresh, self.queue([("is_overdue", "!=", True)]))
        # My queue's order, oldest first: the most overdue first
        queue = self.queue([("id", "in", (late | fresh).ids)])
        self.assertEqual(list(queue), [late, fresh])
        # forwarded, it waits for the next office with a new target
        self.forward(late)
        self.assertEqual(late.date_due, late.sudo().current_line_id.date_due)
        self.assertFalse(late.is_overdue)
        with self.assertRaises(UserError):
            self.Request.search([("is_overdue", ">", 0)])

    def test_the_queue_shows_the_due_date_and_the_mark(self):
        arch = self.Request.sudo(self.officers["department"]).fields_view_get(
            view_type="tree")["arch"]
        self.assertIn('name="date_due"', arch)
        self.assertIn("is_overdue", arch)
        search = self.Request.sudo(
            self.officers["department"]).fields_view_get(
            view_type="search")["arch"]
        self.assertLess(search.index('name="search_text"'),
                        search.index('name="name"'))
