"""The student portal through HTTP, queries counted in the server."""
import re
import statistics
import time

import odoo

from .database import transaction
from .measure import median_run
from .settings import HTTP_PORT
from .workflow import drive, new_request


class Portal:
    def __init__(self, registry):
        import requests
        self.registry = registry
        self.session = requests.Session()
        self.base = "http://127.0.0.1:%d" % HTTP_PORT
        server = odoo.service.server.ThreadedServer(
            odoo.service.wsgi_server.application)
        server.http_spawn()
        for _i in range(100):
            try:
                self.session.get(self.base + "/web/login", timeout=60)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        self.available = "clearance_request.portal_my_clearance_requests" in \
            self._xmlids()

    def _xmlids(self):
        with transaction(self.registry, odoo.SUPERUSER_ID) as env:
            env.cr.execute("SELECT module || '.' || name FROM ir_model_data "
                           "WHERE model = 'ir.ui.view' AND module = "
                           "'clearance_request'")
            return {row[0] for row in env.cr.fetchall()}

    def login(self, login):
        self.session.cookies.clear()
        page = self.session.get(self.base + "/web/login", timeout=60).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.session.post(self.base + "/web/login", data={
            "login": login, "password": login, "csrf_token": token,
            "redirect": "/my"}, timeout=60)
        response = self.session.get(self.base + "/my", timeout=60)
        assert response.status_code == 200 and "/web/login" not in response.url, \
            "login of %s failed" % login

    def get(self, path, runs=5):
        self.session.get(self.base + path, timeout=120)  # warm-up
        times, counts = [], set()
        for _i in range(runs):
            before = odoo.sql_db.sql_counter
            start = time.perf_counter()
            response = self.session.get(self.base + path, timeout=120)
            times.append(time.perf_counter() - start)
            counts.add(odoo.sql_db.sql_counter - before)
            assert response.status_code == 200, (path, response.status_code)
        return statistics.median(times), counts


def portal_students(registry, people, filler):
    """A day student with one open request and a second-shift student with
    nine cleared requests and an open one (all by the real actions)."""
    day, second = people.students["90000002"], people.students["90000003"]
    requests_of = {}
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        partner = env["res.users"].browse(second).partner_id.id
    filler.clone_for(partner, "cleared_second", 9)
    for uid, until in ((day, "welfare"), (second, "department")):
        request_id = new_request(registry, people, uid)
        with transaction(registry, uid) as env:
            env["clearance.request"].browse(request_id).action_submit()
        drive(registry, people, request_id, until=until)
        requests_of[uid] = request_id
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        cleared = env["clearance.request"].search([
            ("partner_id.user_ids", "in", [second]),
            ("state", "=", "cleared")], limit=1).id
    return requests_of[day], requests_of[second], cleared


def bench_portal(portal, people, pages):
    day_open, second_open, second_cleared = pages
    out = []
    portal.login("90000002")
    out.append(("list, 1 request (day student)",) + portal.get("/my/clearance"))
    out.append(("tracker, 10 offices, at welfare",)
               + portal.get("/my/clearance/%d" % day_open))
    portal.login("90000003")
    out.append(("list, 10 requests (second shift)",) + portal.get("/my/clearance"))
    out.append(("tracker, 11 offices, at department",)
               + portal.get("/my/clearance/%d" % second_open))
    out.append(("tracker, 11 offices, cleared",)
               + portal.get("/my/clearance/%d" % second_cleared))
    return out


def model_reads_portal(registry, people, pages):
    """Without the portal controller: the reads its pages need."""
    day_open, second_open, second_cleared = pages
    out = []

    def listing(env):
        records = env["clearance.request"].search(
            [("partner_id", "=", env.user.partner_id.id)], limit=20)
        records.read(["name", "reason", "state", "stage_id", "submit_date"])

    def tracker(request_id):
        def read(env):
            record = env["clearance.request"].browse(request_id)
            record.read(["name", "reason", "state", "stage_id", "submit_date"])
            record.line_ids.read(["stage_id", "state", "date_done",
                                  "visit_instructions", "return_reason"])
        return read
    for login, label, action in (
            ("90000002", "list, 1 request (day student)", listing),
            ("90000002", "tracker, 10 offices", tracker(day_open)),
            ("90000003", "list, 10 requests (second shift)", listing),
            ("90000003", "tracker, 11 offices", tracker(second_open)),
            ("90000003", "tracker, cleared", tracker(second_cleared))):
        out.append((label,) + median_run(
            registry, people.students[login], action, 5)[:2])
    return out
