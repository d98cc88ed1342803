from odoo import SUPERUSER_ID, api
from odoo.tests.common import HttpCase, SavepointCase, at_install, post_install

OFFICES = [
    "department", "library_kharazmi", "library_shirazi", "library_mullasadra",
    "counselling", "nutrition", "student_accounting", "dormitories",
    "welfare", "second_shift_accounting",
]
# The demo officer of each office (demo/res_users_demo.xml).
DEMO_OFFICER_LOGINS = {
    office: office.replace("_", ".") for office in OFFICES}


def make_student(env, login, name, shift="day", **extra):
    vals = {
        "name": name, "login": login, "password": login,
        "email": "%s@students.test" % login,
        "student_number": login, "student_shift": shift,
        "student_degree": "bachelor", "student_faculty": "E-Learning",
        "lang": "en_US",
        "groups_id": [(6, 0, [env.ref("base.group_portal").id])],
    }
    vals.update(extra)
    return env["res.users"].with_context(no_reset_password=True).create(vals)


def make_officer(env, login, *group_xmlids, **extra):
    groups = [env.ref("base.group_user").id] + [
        env.ref(xmlid).id for xmlid in group_xmlids]
    vals = {
        "name": login.replace(".", " ").title(), "login": login,
        "password": login, "email": "%s@staff.test" % login,
        "lang": "en_US",
        "groups_id": [(6, 0, groups)],
    }
    vals.update(extra)
    return env["res.users"].with_context(no_reset_password=True).create(vals)


def fill_form(request):
    """Fill the current stage's form of `request` (as its user) as an
    officer would: the card handed in, no debt."""
    kind = request.current_line_id.kind
    if kind == "card":
        request.write({"cur_card_received": True})
    elif kind in ("debt", "installments"):
        request.write({"cur_debt_status": "none"})
    return request


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class ClearanceCase(SavepointCase):
    """One officer per office, a manager, an employee and three students."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The test database speaks Persian first; these users read English.
        cls.env.ref("base.lang_en").active = True
        env = cls.env
        cls.Request = env["clearance.request"]
        cls.stages = {
            key: env.ref("clearance_request.stage_%s" % key)
            for key in ["create"] + OFFICES}
        cls.officers = {
            key: make_officer(env, "t.officer.%s" % key,
                              "clearance_request.group_office_%s" % key)
            for key in OFFICES}
        cls.manager = make_officer(
            env, "t.manager", "clearance_request.group_clearance_manager")
        cls.employee = make_officer(env, "t.employee")
        cls.student_day = make_student(env, "91000001", "Day Student")
        cls.student_second = make_student(
            env, "92000002", "Second Shift Student", shift="second")
        cls.student_other = make_student(env, "91000003", "Other Student")

    # helpers ---------------------------------------------------------
    def new_request(self, student=None, reason="withdrawal", submit=True):
        student = student or self.student_day
        request = self.Request.sudo(student).create({
            "partner_id": student.partner_id.id, "reason": reason})
        if submit:
            request.action_submit()
        return request.sudo(self.manager)

    def office_of(self, request):
        return next(key for key, stage in self.stages.items()
                    if stage == request.stage_id)

    def fill_form(self, request, user=None):
        """Fill the current stage's form as its officer would."""
        user = user or self.officers[self.office_of(request)]
        return fill_form(request.sudo(user))

    def forward(self, request, user=None):
        user = user or self.officers[self.office_of(request)]
        self.fill_form(request, user).action_forward()
        request.invalidate_cache()
        return request

    def assertTodosFor(self, requests, office):
        """The requests' to-dos are those of every member of `office`."""
        group = self.env.ref("clearance_request.group_office_%s" % office)
        for request in requests:
            self.assertEqual(
                set(request.sudo().activity_ids.mapped("user_id")),
                set(group.users), request.name)

    def advance_to(self, request, office):
        while request.stage_id != self.stages[office]:
            self.forward(request)
        return request


def cleared_request(student, department, manager):
    """A request of `student` handed in to `department` (an officer of the
    first office), then forwarded by `manager` until it is cleared."""
    request = student.env["clearance.request"].sudo(student).create({
        "partner_id": student.partner_id.id, "reason": "withdrawal"})
    request.action_submit()
    fill_form(request.sudo(department)).action_forward()
    request = request.sudo(manager)
    while request.state == "progress":
        fill_form(request).action_forward()
    return request


class PortalRpcMixin:
    """For the tests that attack a guard as a student over RPC."""

    def allow_portal_rpc(self, model, *methods):
        """base_rpc_allowlist refuses students' RPC calls before the guard
        under test sees them: open `methods` of `model` to portal users for
        this test only, so that the guard behind the allowlist is tried
        through the same entry point. The allowlist's own refusal is tested
        in base_rpc_allowlist and test_surface.py."""
        cls = type(self.env[model])
        had = "_portal_rpc_methods" in cls.__dict__
        old = cls.__dict__.get("_portal_rpc_methods")
        cls._portal_rpc_methods = frozenset(old or ()) | frozenset(methods)

        def restore():
            if had:
                cls._portal_rpc_methods = old
            else:
                del cls._portal_rpc_methods
        self.addCleanup(restore)


# Run once every addon is loaded, as on the test database pytest uses.
@at_install(False)
@post_install(True)
class HttpCursorCase(PortalRpcMixin, HttpCase):
    """HTTP tests whose data are built in the registry's test cursor, where
    Odoo 11's HTTP server works (not in the one TransactionCase opened)."""

    context = {}

    def setUp(self):
        super().setUp()
        original = self.cr, self.env
        self.addCleanup(self._restore_cursor, *original)
        self.cr = self.registry.test_cr
        self.env = api.Environment(self.cr, SUPERUSER_ID, dict(self.context))
        # Pages are read in English unless a test says otherwise, also in a
        # database installed in Persian only.
        self.env.ref("base.lang_en").active = True

    def _restore_cursor(self, cr, env):
        self.cr, self.env = cr, env

    def make_people(self, prefix, number, names):
        """Two students (numbers `number`01 and `number`02, named `names`),
        an officer of the department and one of the Kharazmi library."""
        self.student, self.other = (
            make_student(self.env, "%s%02d" % (number, index + 1), name)
            for index, name in enumerate(names))
        self.department = make_officer(
            self.env, "t.%s.department" % prefix,
            "clearance_request.group_office_department")
        self.kharazmi = make_officer(
            self.env, "t.%s.kharazmi" % prefix,
            "clearance_request.group_office_library_kharazmi")

    def keep(self):
        """A failed request rolls the test cursor back to its last commit;
        this cursor's commit only moves a savepoint inside the test."""
        self.registry.test_cr.commit()
