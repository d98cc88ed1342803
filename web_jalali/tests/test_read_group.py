"""Grouping by date as the pivot, graph and grouped lists ask for it."""
from odoo.tests.common import SavepointCase, at_install, post_install


def make_user(env, login, lang, calendar="auto"):
    return env["res.users"].with_context(no_reset_password=True).create({
        "name": login, "login": login, "lang": lang, "tz": "Asia/Tehran",
        "calendar_system": calendar,
        "groups_id": [(6, 0, [env.ref("base.group_user").id,
                              env.ref("base.group_partner_manager").id])]})


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class TestReadGroup(SavepointCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.lang_en").active = True
        cls.persian = make_user(cls.env, "t.jalali.fa", "fa_IR")
        cls.english = make_user(cls.env, "t.jalali.en", "en_US")
        cls.english_jalali = make_user(cls.env, "t.jalali.enj", "en_US", "jalali")
        cls.persian_gregorian = make_user(cls.env, "t.jalali.fag", "fa_IR", "gregorian")
        Partner = cls.env["res.partner"]
        cls.tag = cls.env["res.partner.category"].create({"name": "Jalali test"})
        # Esfand 29th 1404 (twice), Nowruz 1405, the last day of Farvardin
        # 1405 and Ordibehesht 1st 1405
        cls.partners = Partner
        for index, day in enumerate(["2026-03-20", "2026-03-20", "2026-03-21",
                                     "2026-04-20", "2026-04-21"]):
            cls.partners |= Partner.create({
                "name": "Partner %d" % index, "date": day,
                "category_id": [(6, 0, cls.tag.ids)]})
        cls.domain = [("category_id", "in", cls.tag.ids)]

    def groups(self, user, groupby):
        partners = self.env["res.partner"].sudo(user).with_context(
            lang=user.lang, tz=user.tz)
        return [(group[groupby], group["date_count"], group["__domain"])
                for group in partners.read_group(
                    self.domain, ["date"], [groupby], orderby="date")]

    def assertGroups(self, user, groupby, expected):
        groups = self.groups(user, groupby)
        self.assertEqual([(label, count) for label, count, _domain in groups], expected)
        # each group's domain finds exactly its records
        Partner = self.env["res.partner"].sudo(user)
        for _label, count, domain in groups:
            self.assertEqual(Partner.search_count(domain), count)

    def test_persian_user_groups_by_jalali_months(self):
        self.assertGroups(self.persian, "date:month", [
            ("اسفند ۱۴۰۴", 2), ("فروردین ۱۴۰۵", 2), ("اردیبهشت ۱۴۰۵", 1)])
        self.assertGroups(self.persian, "date:year", [("۱۴۰۴", 2), ("۱۴۰۵", 3)])
        self.assertGroups(self.persian, "date:quarter", [
            ("زمستان ۱۴۰۴", 2), ("بهار ۱۴۰۵", 3)])
        self.assertGroups(self.persian, "date:day", [
            ("۲۹ اسفند ۱۴۰۴", 2), ("۱ فروردین ۱۴۰۵", 1),
            ("۳۱ فروردین ۱۴۰۵", 1), ("۱ اردیبهشت ۱۴۰۵", 1)])
        # Iranian weeks start on Saturday: Friday Esfand 29th and Saturday
        # Farvardin 1st are in different weeks
        self.assertGroups(self.persian, "date:week", [
            ("هفتهٔ ۲۳ اسفند ۱۴۰۴", 2), ("هفتهٔ ۱ فروردین ۱۴۰۵", 1),
            ("هفتهٔ ۲۹ فروردین ۱۴۰۵", 2)])

    def test_jalali_by_choice_in_english(self):
        self.assertGroups(self.english_jalali, "date:month", [
            ("Esfand 1404", 2), ("Farvardin 1405", 2), ("Ordibehesht 1405", 1)])

    def test_gregorian_users_unchanged(self):
        self.assertGroups(self.english, "date:month", [
            ("March 2026", 3), ("April 2026", 2)])
        groups = self.groups(self.persian_gregorian, "date:month")
        self.assertEqual([count for _label, count, _domain in groups], [3, 2])
        self.assertNotIn("۱۴۰۵", groups[0][0])

    def test_datetime_near_midnight_in_tehran(self):
        """A datetime is grouped by its day in the reader's time zone:
        20:15 UTC on 2026-03-20 is 23:45 on Esfand 29th in Tehran, 20:45 UTC
        is 00:15 on Nowruz."""
        crons = self.env["ir.cron"]
        for minute, name in ((15, "before"), (45, "after")):
            crons |= crons.create({
                "name": "Jalali %s" % name,
                "model_id": self.env.ref("base.model_res_partner").id,
                "state": "code", "code": "model", "active": False,
                "nextcall": "2026-03-20 20:%02d:00" % minute})
        domain = [("id", "in", crons.ids), ("active", "=", False)]
        # (scheduled actions have a datetime that can be set; only
        # administrators read them)
        result = self.env["ir.cron"].with_context(
            lang="fa_IR", tz="Asia/Tehran").read_group(
                domain, ["nextcall"], ["nextcall:month"], orderby="nextcall")
        self.assertEqual([(g["nextcall:month"], g["nextcall_count"]) for g in result],
                         [("اسفند ۱۴۰۴", 1), ("فروردین ۱۴۰۵", 1)])
        # Farvardin 1405 begins at 20:30 UTC (midnight in Tehran)
        self.assertIn(("nextcall", ">=", "2026-03-20 20:30:00"), result[1]["__domain"])
        self.assertIn(("nextcall", "<", "2026-04-20 20:30:00"), result[1]["__domain"])
