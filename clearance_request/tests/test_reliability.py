"""Reliability against real Odoo servers.

Each test talks to an Odoo server process (`--workers=2`) serving a copy of
the test database, over XML-RPC as the users would: two officers pressing
the same button at the same moment, a server killed in the middle of a bulk
run, an upgrade of an edited database, malformed input. The copy is made
when the class starts and dropped when it ends; the data the tests need is
committed in the copy only."""
import contextlib
import logging
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import xmlrpc.client

import lxml.html

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests.common import get_db_name

from .common import OFFICES

_logger = logging.getLogger(__name__)

ROOT = os.environ.get("CLEARANCE_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
RPC_TIMEOUT = 120
START_TIMEOUT = 180
# What the loser of two simultaneous clicks may be told.
BUSY = ("Someone else is acting on this request right now. Reload it and "
        "try again.")
MOVED = ("This request has moved on since you opened it. Reload it to see "
         "where it is now.")


def free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TimeoutTransport(xmlrpc.client.Transport):
    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = RPC_TIMEOUT
        return connection


class Rpc:
    """One user's XML-RPC connection (one per thread)."""

    def __init__(self, url, db, login, password):
        self.db, self.password = db, password
        common = xmlrpc.client.ServerProxy(
            url + "/xmlrpc/2/common", transport=TimeoutTransport())
        self.uid = common.authenticate(db, login, password, {})
        assert self.uid, "%s could not log in" % login
        self.models = xmlrpc.client.ServerProxy(
            url + "/xmlrpc/2/object", transport=TimeoutTransport(),
            allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(
            self.db, self.uid, self.password, model, method, list(args), kwargs)


class OdooServer:
    """`bin/odoo --workers=2` on one database, on free ports."""

    def __init__(self, db, workdir):
        self.db = db
        self.workdir = workdir
        self.conf = os.path.join(workdir, "odoo.conf")
        self.log = os.path.join(workdir, "odoo.log")
        config = odoo.tools.config
        with open(self.conf, "w") as handle:
            handle.write("[options]\n" + "".join(
                "%s = %s\n" % (key, config[key]) for key in (
                    "addons_path", "db_host", "db_port", "db_user",
                    "db_password", "data_dir", "admin_passwd")))
        self.process = None
        self.url = None

    def command(self, *args, log=None):
        return [sys.executable, os.path.join(ROOT, "bin", "odoo"),
                "-c", self.conf, "-d", self.db, "--db-filter", "^%s$" % self.db,
                "--max-cron-threads", "0", "--log-level", "warn",
                "--logfile", log or self.log] + list(args)

    def start(self):
        port = free_port()
        self.url = "http://127.0.0.1:%d" % port
        self.process = subprocess.Popen(
            self.command("--workers", "2", "--http-interface", "127.0.0.1",
                         "--http-port", str(port),
                         "--longpolling-port", str(free_port())),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("the server stopped at start:\n" + self.log_tail())
            try:
                with contextlib.closing(socket.create_connection(
                        ("127.0.0.1", port), timeout=1)):
                    pass
                xmlrpc.client.ServerProxy(
                    self.url + "/xmlrpc/2/common",
                    transport=TimeoutTransport()).version()
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise AssertionError("the server did not start in time:\n" + self.log_tail())

    def running(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """SIGKILL the master and its workers at once."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if not self.running():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        # workers left behind by a master that died first
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def log_tail(self, size=4000, log=None):
        log = log or self.log
        if not os.path.exists(log):
            return ""
        with open(log, errors="replace") as handle:
            return handle.read()[-size:]

    def rpc(self, login, password=None):
        return Rpc(self.url, self.db, login, password or login)


class TestServerReliability(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source = get_db_name()
        cls.db = "%s_reliability" % cls.source
        cls.workdir = tempfile.mkdtemp(prefix="clearance-reliability-")
        cls._drop_copy()
        # The template may have no other session: close this process's
        # idle connections to it first.
        for attempt in range(10):
            odoo.sql_db.close_db(cls.source)
            try:
                cls._postgres("CREATE DATABASE \"%s\" TEMPLATE \"%s\"" % (
                    cls.db, cls.source))
                break
            except Exception:
                if attempt == 9:
                    raise
                time.sleep(1)
        filestore = odoo.tools.config.filestore(cls.source)
        if os.path.isdir(filestore):
            shutil.copytree(filestore, odoo.tools.config.filestore(cls.db))
        try:
            cls.registry = odoo.modules.registry.Registry.new(cls.db)
            cls.server = OdooServer(cls.db, cls.workdir)
            cls.server.start()
        except Exception:
            cls._teardown()
            raise

    @classmethod
    def tearDownClass(cls):
        cls._teardown()
        return super().tearDownClass()

    @classmethod
    def _teardown(cls):
        server = getattr(cls, "server", None)
        if server:
            server.stop()
        cls._drop_copy()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def _postgres(cls, sql):
        db = odoo.sql_db.db_connect("postgres")
        with contextlib.closing(db.cursor()) as cr:
            cr.autocommit(True)
            cr.execute(sql)

    @classmethod
    def _drop_copy(cls):
        odoo.modules.registry.Registry.delete(cls.db)
        odoo.sql_db.close_db(cls.db)
        cls._postgres("""SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                         WHERE datname = '%s' AND pid != pg_backend_pid()""" % cls.db)
        cls._postgres('DROP DATABASE IF EXISTS "%s"' % cls.db)
        shutil.rmtree(odoo.tools.config.filestore(cls.db), ignore_errors=True)

    def setUp(self):
        super().setUp()
        if not self.server.running():
            self.server.start()

    # ------------------------------------------------------------------
    # helpers on the copy
    # ------------------------------------------------------------------
    @contextlib.contextmanager
    def env(self, uid=SUPERUSER_ID):
        """A committed transaction on the copy (others' processes read it)."""
        with api.Environment.manage(), self.registry.cursor() as cr:
            yield api.Environment(cr, uid, {"tz": "Asia/Tehran"})

    def said_to(self, login, *sources):
        """The messages as the user reads them, in their language."""
        with self.env() as env:
            lang = env["res.users"].search([("login", "=", login)]).lang
            translate = env["ir.translation"]._get_source
            return {translate(None, ("code",), lang, source) for source in sources}

    def make_officer(self, env, login, offices):
        groups = [env.ref("base.group_user").id] + [
            env.ref("clearance_request.group_office_%s" % office).id
            for office in offices]
        return env["res.users"].with_context(no_reset_password=True).create({
            "name": login, "login": login, "password": login,
            "email": "%s@staff.test" % login,
            "groups_id": [(6, 0, groups)]})

    def make_student(self, env, number, portal=False):
        vals = {"name": "Student %s" % number, "student_number": number,
                "email": "%s@students.test" % number,
                "student_shift": "second", "student_degree": "bachelor"}
        if not portal:
            return env["res.partner"].create(vals).id
        vals.update(login=number, password=number, groups_id=[
            (6, 0, [env.ref("base.group_portal").id])])
        return env["res.users"].with_context(
            no_reset_password=True).create(vals).partner_id.id

    def submitted_requests(self, env, count, prefix):
        """`count` requests submitted and waiting at the department, with the
        student card handed in (as a clearance manager would do it)."""
        Request = env["clearance.request"]
        requests = Request.browse()
        for index in range(count):
            partner = self.make_student(env, "%s%04d" % (prefix, index))
            request = Request.create({"partner_id": partner,
                                      "reason": "withdrawal"})
            request.action_submit()
            request.write({"cur_card_received": True})
            requests |= request
        return requests

    def forward_to(self, env, requests, office):
        stage = env.ref("clearance_request.stage_%s" % office)
        for request in requests:
            while request.stage_id != stage:
                if request.current_line_id.kind == "card":
                    request.write({"cur_card_received": True})
                request.action_forward()

    def request_problems(self, cr, request_id):
        """What disagrees between a request, its current step and its route."""
        cr.execute("""SELECT r.state, r.stage_id, r.current_line_id,
                             l.stage_id, l.state
                      FROM clearance_request r
                      LEFT JOIN clearance_request_line l ON l.id = r.current_line_id
                      WHERE r.id = %s""", [request_id])
        state, stage, current, line_stage, line_state = cr.fetchone()
        cr.execute("""SELECT id, state FROM clearance_request_line
                      WHERE request_id = %s ORDER BY sequence, id""", [request_id])
        lines = cr.fetchall()
        problems = []
        if state in ("progress", "hold", "returned"):
            if not current or stage != line_stage:
                problems.append("stage %s but current step at %s" % (stage, line_stage))
            expected = {"progress": "current", "hold": "hold",
                        "returned": "returned"}[state]
            if line_state != expected:
                problems.append("request %s but its step %s" % (state, line_state))
            position = [line_id for line_id, _s in lines].index(current)
            before = {s for _i, s in lines[:position]}
            after = {s for _i, s in lines[position + 1:]}
            if before - {"done"}:
                problems.append("steps before the current one: %s" % before)
            if after - {"waiting"}:
                problems.append("steps after the current one: %s" % after)
        elif state == "cleared":
            if current or {s for _i, s in lines} != {"done"}:
                problems.append("cleared with steps %s" % [s for _i, s in lines])
        return problems

    def signature(self, cr, request_id):
        """The chatter, mails, notifications and to-dos of a request."""
        queries = {
            "messages": """SELECT count(*) FROM mail_message
                           WHERE model = 'clearance.request' AND res_id = %s""",
            "tracking": """SELECT count(*) FROM mail_tracking_value t
                           JOIN mail_message m ON m.id = t.mail_message_id
                           WHERE m.model = 'clearance.request' AND m.res_id = %s""",
            "mails": """SELECT count(*) FROM mail_mail mm
                        JOIN mail_message m ON m.id = mm.mail_message_id
                        WHERE m.model = 'clearance.request' AND m.res_id = %s""",
            "notifications": """
                SELECT count(*) FROM mail_message_res_partner_needaction_rel n
                JOIN mail_message m ON m.id = n.mail_message_id
                WHERE m.model = 'clearance.request' AND m.res_id = %s""",
            "activities": """SELECT count(*) FROM mail_activity
                             WHERE res_model = 'clearance.request' AND res_id = %s""",
        }
        result = {}
        for key, sql in queries.items():
            cr.execute(sql, [request_id])
            result[key] = cr.fetchone()[0]
        return result

    # ------------------------------------------------------------------
    # concurrency
    # ------------------------------------------------------------------
    @staticmethod
    def click(rpc, request_id, line_id, barrier, results, index):
        """An officer presses Send on the form opened at step line_id."""
        barrier.wait(timeout=RPC_TIMEOUT)
        try:
            results[index] = rpc(
                "clearance.request", "action_forward", [request_id],
                context={"clearance_expected_line_id": line_id})
        except xmlrpc.client.Fault as fault:
            results[index] = fault

    def test_two_officers_forward_the_same_request_at_once(self):
        """30 times, two officers of the department (both also serve the
        next office, so a second click could move the request twice) press
        Send on the same request at the same moment: exactly one transition,
        the other officer is told why not."""
        rounds = 30
        with self.env() as env:
            for login in ("rel.department.a", "rel.department.b"):
                self.make_officer(env, login, ["department", "library_kharazmi"])
            requests = self.submitted_requests(env, rounds, "71")
            cases = [(r.id, r.current_line_id.id) for r in requests]
        clients = [self.server.rpc("rel.department.a"),
                   self.server.rpc("rel.department.b")]
        refusals = self.said_to("rel.department.a", BUSY, MOVED)
        outcomes = []
        for request_id, line_id in cases:
            barrier = threading.Barrier(2)
            results = [None, None]
            threads = [threading.Thread(target=self.click, args=(
                clients[index], request_id, line_id, barrier, results, index))
                for index in (0, 1)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(RPC_TIMEOUT + 10)
            self.assertEqual(sorted(r is True for r in results), [False, True],
                             "exactly one officer moves the request: %r" % results)
            refusal = next(r for r in results if r is not True)
            self.assertIsInstance(refusal, xmlrpc.client.Fault)
            self.assertIn(refusal.faultString, refusals)
            outcomes.append(refusal.faultString)
        with self.env() as env:
            kharazmi = env.ref("clearance_request.stage_library_kharazmi")
            for request_id, line_id in cases:
                request = env["clearance.request"].browse(request_id)
                self.assertEqual(request.stage_id, kharazmi, "one step, not two")
                self.assertEqual(env["clearance.request.line"].browse(line_id).state, "done")
                self.assertEqual(request.line_ids.filtered(
                    lambda l: l.state == "done").mapped("stage_id.kind"),
                    ["create", "card"])
                self.assertEqual(self.request_problems(env.cr, request_id), [])
        _logger.info("concurrent forwards, refusals: %s", {
            text: outcomes.count(text) for text in set(outcomes)})

    # ------------------------------------------------------------------
    # faults
    # ------------------------------------------------------------------
    def run_script(self, rpc, request_id, script, done=None):
        """Play one request's actions as the officer; stop on a dead server."""
        for action in script:
            if action == "hold":
                rpc("clearance.request", "hold_for_visit", [request_id],
                    instructions="Bring back the two books.")
            else:
                rpc("clearance.request", "action_forward", [request_id])
            if done is not None:
                done.append(request_id)

    SCRIPTS = {
        "plain": ["forward"] * 5,
        "hold": ["forward", "hold", "forward", "forward", "forward"],
    }

    def committed_actions(self, cr, request_id):
        cr.execute("""SELECT count(*) FILTER (WHERE state = 'done' AND kind != 'create'),
                             count(*) FILTER (WHERE visit_required)
                      FROM clearance_request_line WHERE request_id = %s""",
                   [request_id])
        forwards, holds = cr.fetchone()
        return forwards + holds

    QUEUE_SCRIPT = "\n".join([
        "import sys, odoo",
        "odoo.tools.config.parse_config(['-c', sys.argv[1], '-d', sys.argv[2]])",
        "registry = odoo.registry(sys.argv[2])",
        "with odoo.api.Environment.manage(), registry.cursor() as cr:",
        "    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})",
        "    env['clearance.event']._process_pending(commit=True)",
    ])

    def count_events(self, state):
        with self.env() as env:
            env.cr.execute("SELECT count(*) FROM clearance_event WHERE state = %s",
                           [state])
            return env.cr.fetchone()[0]

    def kill_event_queue_midway(self):
        """An Odoo process doing the event queue as the scheduled action
        does, SIGKILLed once it has done a few events."""
        pending, done = self.count_events("pending"), self.count_events("done")
        self.assertGreater(pending, 5, "the bulk run left events to do")
        process = subprocess.Popen(
            [sys.executable, "-c", self.QUEUE_SCRIPT, self.server.conf, self.db],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = time.time() + START_TIMEOUT
        while self.count_events("done") < done + 3 and time.time() < deadline:
            time.sleep(0.02)
        process.kill()
        process.wait()
        self.assertEqual(process.returncode, -signal.SIGKILL)
        self.assertTrue(0 < self.count_events("pending") < pending,
                        "killed in the middle of the queue")

    def test_server_killed_during_a_bulk_run(self):
        """A client forwards many requests; the server is SIGKILLed in the
        middle. After a restart, no request is half-advanced and each has
        exactly the chatter, mails and to-dos of the actions that committed."""
        with self.env() as env:
            self.make_officer(env, "rel.bulk", OFFICES)
            references = self.submitted_requests(env, 2, "72")
            bulk = self.submitted_requests(env, 10, "73")
            kinds = {r.id: ("hold" if index % 2 else "plain")
                     for index, r in enumerate(bulk)}
            kinds.update({references[0].id: "plain", references[1].id: "hold"})
        rpc = self.server.rpc("rel.bulk")
        # the same scripts without a fault: what each step leaves behind
        expected = {}
        for request_id in references.ids:
            kind = kinds[request_id]
            with self.env() as env:
                env["clearance.event"]._process_pending()
                expected[kind] = [self.signature(env.cr, request_id)]
            for action in self.SCRIPTS[kind]:
                self.run_script(rpc, request_id, [action])
                with self.env() as env:
                    env["clearance.event"]._process_pending()
                    expected[kind].append(self.signature(env.cr, request_id))
        # the bulk run, two clients, killed after a random number of actions
        done, errors = [], []
        work = list(bulk.ids)
        random.shuffle(work)

        def client(share):
            connection = self.server.rpc("rel.bulk")
            for request_id in share:
                try:
                    self.run_script(connection, request_id,
                                    self.SCRIPTS[kinds[request_id]], done)
                except (OSError, xmlrpc.client.ProtocolError,
                        xmlrpc.client.Fault) as err:
                    errors.append(err)
                    return

        threads = [threading.Thread(target=client, args=(work[i::2],))
                   for i in (0, 1)]
        kill_after = random.randint(6, 24)
        for thread in threads:
            thread.start()
        deadline = time.time() + 300
        while len(done) < kill_after and time.time() < deadline and any(
                t.is_alive() for t in threads):
            time.sleep(0.01)
        self.server.kill()
        for thread in threads:
            thread.join(RPC_TIMEOUT + 10)
        self.assertTrue(errors, "the kill interrupted the clients")
        self.assertFalse([e for e in errors if isinstance(e, xmlrpc.client.Fault)],
                         "only the kill stops the clients")
        self.server.start()
        # the event queue does what the committed actions left for it, each
        # event once, in a process killed in the middle of it first
        self.kill_event_queue_midway()
        with self.env() as env:
            env["clearance.event"]._process_pending(commit=True)
            env.cr.execute("SELECT state, count(*) FROM clearance_event "
                           "GROUP BY state")
            self.assertEqual(set(dict(env.cr.fetchall())), {"done"})
        with self.env() as env:
            committed = {}
            for request_id in bulk.ids:
                self.assertEqual(self.request_problems(env.cr, request_id), [],
                                 "request %s" % request_id)
                steps = self.committed_actions(env.cr, request_id)
                committed[request_id] = steps
                self.assertEqual(
                    self.signature(env.cr, request_id),
                    expected[kinds[request_id]][steps],
                    "request %s after %d actions" % (request_id, steps))
        total = sum(committed.values())
        self.assertGreaterEqual(total, len(done), "every answered action committed")
        self.assertLess(total, 5 * len(bulk), "the run was interrupted")
        # the restarted server goes on where the run stopped
        unfinished = next(r for r, steps in committed.items() if steps < 5)
        script = self.SCRIPTS[kinds[unfinished]][committed[unfinished]:]
        self.run_script(self.server.rpc("rel.bulk"), unfinished, script)
        with self.env() as env:
            env["clearance.event"]._process_pending()
            self.assertEqual(self.committed_actions(env.cr, unfinished), 5)
            self.assertEqual(self.signature(env.cr, unfinished),
                             expected[kinds[unfinished]][5])

    def test_a_failing_event_keeps_its_error_and_is_retried(self):
        """An event whose work fails (here, a template an admin broke for one
        request) is rolled back whole and kept as failed with its error; the
        other events go on; Retry does it once the cause is fixed."""
        with self.env() as env:
            self.make_officer(env, "rel.queue", OFFICES)
            self.make_officer(env, "rel.queue.manager", []).write({
                "groups_id": [(4, env.ref(
                    "clearance_request.group_clearance_manager").id)]})
            requests = self.submitted_requests(env, 2, "79")
            env["clearance.event"]._process_pending()
            template = env.ref("clearance_request.mail_template_request_forwarded")
            subjects = {lang: template.with_context(lang=lang).subject
                        for lang in ("en_US", "fa_IR")}
            broken = ("${object.request_id.id == %d and 1 / 0 or "
                      "object.request_id.name}" % requests[0].id)
            for lang in subjects:
                template.with_context(lang=lang).subject = broken
        rpc = self.server.rpc("rel.queue")
        for request_id in requests.ids:
            rpc("clearance.request", "action_forward", [request_id])
        # nobody but the queue may run it, and only managers read it
        with self.assertRaisesRegex(xmlrpc.client.Fault, "[Pp]rivate"):
            rpc("clearance.event", "_process_pending", [])
        with self.assertRaisesRegex(xmlrpc.client.Fault, r"clearance\.event"):
            rpc("clearance.event", "search_read", [[]], fields=["state"])

        def mails_and_entries(env, request_id):
            env.cr.execute("""
                SELECT (SELECT count(*) FROM mail_mail mm JOIN mail_message m
                        ON m.id = mm.mail_message_id
                        WHERE m.model = 'clearance.request' AND m.res_id = %(r)s),
                       (SELECT count(DISTINCT t.mail_message_id)
                        FROM mail_tracking_value t JOIN mail_message m
                        ON m.id = t.mail_message_id
                        WHERE m.model = 'clearance.request' AND m.res_id = %(r)s),
                       (SELECT string_agg(a.summary, ',' ORDER BY a.user_id)
                        FROM mail_activity a
                        WHERE a.res_model = 'clearance.request'
                          AND a.res_id = %(r)s)
                """, {"r": request_id})
            return env.cr.fetchone()

        with self.env() as env:
            before = mails_and_entries(env, requests[0].id)
        with self.env() as env:
            env["clearance.event"]._process_pending(commit=True)
        # a new transaction sees what the queue's own transactions committed
        with self.env() as env:
            failed = env["clearance.event"].search([("state", "=", "failed")])
            self.assertEqual(failed.mapped("request_id").ids, requests[:1].ids)
            self.assertIn("Failed to render template", failed.error)
            self.assertEqual(mails_and_entries(env, requests[0].id), before,
                             "nothing of the failed event is left")
            done = mails_and_entries(env, requests[1].id)
            self.assertEqual(done[0], 3, "received, new office and forwarded mails")
            template = env.ref("clearance_request.mail_template_request_forwarded")
            for lang, subject in subjects.items():
                template.with_context(lang=lang).subject = subject
        self.server.rpc("rel.queue.manager")(
            "clearance.event", "action_retry", failed.ids)
        with self.env() as env:
            # as the server runs it: the scheduled action's own code
            cron = env.ref("clearance_request.ir_cron_process_events")
            self.assertEqual((cron.active, cron.interval_number, cron.interval_type),
                             (True, 1, "minutes"))
            cron.method_direct_trigger()
        with self.env() as env:
            self.assertEqual(failed.with_env(env).state, "done")
            self.assertEqual(mails_and_entries(env, requests[0].id), done)
            self.assertEqual(mails_and_entries(env, requests[1].id), done)

    # ------------------------------------------------------------------
    # upgrade
    # ------------------------------------------------------------------
    SNAPSHOT = {
        "requests": "SELECT * FROM clearance_request ORDER BY id",
        "lines": "SELECT * FROM clearance_request_line ORDER BY id",
        "stages": "SELECT * FROM clearance_stage ORDER BY id",
        "stage translations": """SELECT name, res_id, lang, value FROM ir_translation
                                 WHERE name LIKE 'clearance.stage,%%'
                                 ORDER BY name, res_id, lang""",
        "offices": """SELECT id, name FROM res_groups
                      WHERE category_id = %(offices)s ORDER BY id""",
        "office members": """SELECT gid, uid FROM res_groups_users_rel
                             WHERE gid IN (SELECT id FROM res_groups
                                           WHERE category_id = %(offices)s)
                             ORDER BY gid, uid""",
        "automated actions": """SELECT a.id, s.name, a.active FROM base_automation a
                                JOIN ir_act_server s ON s.id = a.action_server_id
                                ORDER BY a.id""",
        "mail templates": "SELECT id, subject, body_html FROM mail_template ORDER BY id",
    }

    def snapshot(self):
        db = odoo.sql_db.db_connect(self.db)
        with contextlib.closing(db.cursor()) as cr:
            cr.execute("""SELECT res_id FROM ir_model_data WHERE module =
                          'clearance_request' AND name =
                          'module_category_clearance_offices'""")
            params = {"offices": cr.fetchone()[0]}
            result = {}
            for key, sql in self.SNAPSHOT.items():
                cr.execute(sql, params)
                names = [d[0] for d in cr.description]
                result[key] = [
                    {n: v for n, v in zip(names, row)
                     if n not in ("write_date", "write_uid")}
                    for row in cr.fetchall()]
            return result

    def test_upgrade_keeps_requests_and_admin_edits(self):
        with self.env() as env:
            ref = env.ref
            requests = self.submitted_requests(env, 4, "74")
            self.forward_to(env, requests[1:], "library_shirazi")
            self.forward_to(env, requests[2:], "nutrition")
            requests[3].write({"cur_visit_instructions": "Come on Monday."})
            requests[3].hold_for_visit()
            shirazi = ref("clearance_request.stage_library_shirazi")
            shirazi.write({"name": "Central Library (was Mirza-ye Shirazi)",
                           "description": "Edited by the administrator."})
            shirazi.with_context(lang="fa_IR").write({"name": "کتابخانه مرکزی"})
            ref("clearance_request.stage_second_shift_accounting").condition = \
                "[('student_dormitory', '=', True)]"
            ref("clearance_request.stage_counselling").active = False
            ref("clearance_request.stage_nutrition").write({
                "group_id": ref("clearance_request.group_office_welfare").id,
                "allow_hold": False, "sequence": 95})
            self.make_officer(env, "rel.new.department", ["department"])
            ref("clearance_request.group_office_welfare").name = \
                "Welfare and Student Loans"
            automations = env["base.automation"].search(
                [("model_id.model", "=", "clearance.event")], limit=1)
            automations.active = False
            templates = env["mail.template"].search(
                [("model_id.model", "=", "clearance.event")], limit=1)
            templates.subject = "Edited subject ${object.request_id.name}"
        with self.env() as env:
            stage = env.ref("clearance_request.stage_library_shirazi")
            names = {lang: stage.with_context(lang=lang).name
                     for lang in ("en_US", "fa_IR")}
        before = self.snapshot()
        self.assertTrue(before["requests"] and before["stages"])
        self.server.stop()
        log_path = os.path.join(self.workdir, "upgrade.log")
        try:
            upgrade = subprocess.run(
                self.server.command("-u", "clearance_request", "--stop-after-init",
                                    log=log_path),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, timeout=600)
            log = self.server.log_tail(10 ** 7, log=log_path) + upgrade.stdout.decode()
            self.assertEqual(upgrade.returncode, 0, log[-3000:])
            self.assertNotRegex(log, r" (ERROR|CRITICAL) ", log[-3000:])
            after = self.snapshot()
            for key in self.SNAPSHOT:
                self.assertEqual(after[key], before[key], key)
        finally:
            # this process's view of the copy predates the upgrade
            type(self).registry = odoo.modules.registry.Registry.new(self.db)
        with self.env() as env:
            stage = env.ref("clearance_request.stage_library_shirazi")
            self.assertEqual(stage.with_context(lang="fa_IR").name, "کتابخانه مرکزی")
            self.assertEqual(
                {lang: stage.with_context(lang=lang).name for lang in names}, names)
            self.assertFalse(env.ref("clearance_request.stage_counselling").active)
            self.assertEqual(env.ref("clearance_request.stage_nutrition").group_id,
                             env.ref("clearance_request.group_office_welfare"))

    # ------------------------------------------------------------------
    # bad input over RPC
    # ------------------------------------------------------------------
    def bad_input_world(self, prefix, number):
        """A student's request at the department (card handed in) and another
        student's request at the Kharazmi Library, with their officers."""
        with self.env() as env:
            self.make_officer(env, "%s.department" % prefix, ["department"])
            self.make_officer(env, "%s.kharazmi" % prefix, ["library_kharazmi"])
            own = self.make_student(env, "%d1" % number, portal=True)
            other = self.make_student(env, "%d2" % number, portal=True)
            Request = env["clearance.request"]
            mine = Request.create({"partner_id": own, "reason": "withdrawal"})
            mine.action_submit()
            mine.write({"cur_card_received": True})
            theirs = Request.create({"partner_id": other, "reason": "expulsion"})
            theirs.action_submit()
            self.forward_to(env, theirs, "library_kharazmi")
            return {"mine": mine.id, "theirs": theirs.id,
                    "theirs_name": theirs.name,
                    "theirs_line": theirs.current_line_id.id,
                    "student": env["res.partner"].browse(own).student_number,
                    "other": env["res.partner"].browse(other).student_number}

    def state_of(self, request_ids):
        db = odoo.sql_db.db_connect(self.db)
        with contextlib.closing(db.cursor()) as cr:
            cr.execute("""SELECT r.*, (SELECT array_agg(l.* ORDER BY l.id)::text
                                       FROM clearance_request_line l
                                       WHERE l.request_id = r.id)
                          FROM clearance_request r WHERE r.id IN %s ORDER BY r.id""",
                       [tuple(request_ids)])
            return cr.fetchall()

    def assertRefused(self, call, *args, **kwargs):
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            call(*args, **kwargs)
        return caught.exception

    def test_bad_input_wrong_types_change_nothing(self):
        world = self.bad_input_world("rel.types", 75000)
        ids = [world["mine"], world["theirs"]]
        before = self.state_of(ids)
        department = self.server.rpc("rel.types.department")
        kharazmi = self.server.rpc("rel.types.kharazmi")
        bad_calls = [
            (department, "action_forward", ["abc"], {}),
            (department, "action_forward", [[{"id": world["mine"]}]], {}),
            (department, "action_forward", [[None]], {}),
            (kharazmi, "return_to_student", [world["theirs"]],
             {"reason": ["not", "a", "text"]}),
            (kharazmi, "hold_for_visit", [world["theirs"]], {"instructions": {"a": 1}}),
            (kharazmi, "write", [world["theirs"]], {"vals": {"cur_debt_amount": "lots"}}),
            (kharazmi, "write", [world["theirs"]],
             {"vals": {"cur_installment_start": "not a date"}}),
            (department, "write", [world["mine"]], {"vals": {"stage_id": "welfare"}}),
            (department, "write", [world["mine"]], {"vals": {"state": ["cleared"]}}),
        ]
        for rpc, method, args, kwargs in bad_calls:
            self.assertRefused(rpc, "clearance.request", method, *args, **kwargs)
        fault = self.assertRefused(
            department, "clearance.request", "action_forward", [world["mine"]],
            context={"clearance_expected_line_id": "x"})
        self.assertIn(fault.faultString, self.said_to("rel.types.department", MOVED))
        self.assertEqual(self.state_of(ids), before)
        # the same users with well-formed input: nothing else was in the way
        department("clearance.request", "action_forward", [world["mine"]])
        kharazmi("clearance.request", "return_to_student", [world["theirs"]],
                 reason="Your file is incomplete.")
        self.assertNotEqual(self.state_of(ids), before)

    def test_bad_input_others_records_refused_without_leak(self):
        world = self.bad_input_world("rel.others", 76000)
        ids = [world["mine"], world["theirs"]]
        before = self.state_of(ids)
        student = self.server.rpc(world["student"])
        department = self.server.rpc("rel.others.department")
        for call in (
                lambda: student("clearance.request", "read", [world["theirs"]],
                                fields=["name", "partner_id", "student_note"]),
                lambda: student("clearance.request", "write", [world["theirs"]],
                                {"student_note": "mine now"}),
                lambda: student("clearance.request", "action_cancel", [world["theirs"]]),
                lambda: student("clearance.request", "resubmit",
                                [world["theirs"]], note="mine"),
                lambda: student("clearance.request.line", "read",
                                [world["theirs_line"]], fields=["note"]),
                lambda: student("clearance.request", "message_post",
                                [world["theirs"]], body="hello")):
            fault = self.assertRefused(call)
            for secret in (world["theirs_name"], world["other"]):
                self.assertNotIn(secret, fault.faultString)
        # an officer of an office that is not at the stage
        for call in (
                lambda: department("clearance.request", "action_forward",
                                   [world["theirs"]]),
                lambda: department("clearance.request", "hold_for_visit",
                                   [world["theirs"]], instructions="Come"),
                lambda: department("clearance.request", "write", [world["theirs"]],
                                   {"cur_note": "not my office"}),
                lambda: department("clearance.request.line", "write",
                                   [world["theirs_line"]], {"note": "not mine"})):
            self.assertRefused(call)
        found = student("clearance.request", "search_read", [], fields=["name"])
        self.assertEqual([r["id"] for r in found], [world["mine"]])
        self.assertEqual(student("clearance.request", "search_count",
                                 [("id", "=", world["theirs"])]), 0)
        self.assertEqual(self.state_of(ids), before)

    def test_bad_input_large_and_html_text_stored_as_text(self):
        world = self.bad_input_world("rel.html", 77000)
        student = self.server.rpc(world["student"])
        department = self.server.rpc("rel.html.department")
        kharazmi = self.server.rpc("rel.html.kharazmi")
        script = '<script>alert("x")</script><img src=x onerror="alert(1)"><b>bold</b>'
        # one megabyte of office note is kept whole, as text
        big = ("یادداشت " * 131072)[:1000000]
        department("clearance.request", "write", [world["mine"]], {"cur_note": big})
        note = department("clearance.request", "read", [world["mine"]],
                          fields=["cur_note"])[0]["cur_note"]
        self.assertEqual(note, big)
        # markup typed into text fields comes back as the same plain text
        student("clearance.request", "write", [world["mine"]], {"student_note": script})
        department("clearance.request", "write", [world["mine"]], {"cur_note": script})
        values = department("clearance.request", "read", [world["mine"]],
                            fields=["student_note", "cur_note"])[0]
        self.assertEqual(values["student_note"], script)
        self.assertEqual(values["cur_note"], script)
        types = department("clearance.request", "fields_get",
                           ["student_note", "cur_note", "cur_visit_instructions"],
                           attributes=["type"])
        self.assertEqual({f["type"] for f in types.values()}, {"text"},
                         "the web client shows these escaped, as text")
        # what reaches the chatter and the mails is sanitized
        kharazmi("clearance.request", "hold_for_visit", [world["theirs"]],
                 instructions=script)
        kharazmi("clearance.request", "message_post", [world["theirs"]],
                 body=script, message_type="comment")
        with self.env() as env:
            env["clearance.event"]._process_pending()
            messages = env["mail.message"].search([
                ("model", "=", "clearance.request"),
                ("res_id", "=", world["theirs"])])
            bodies = [m.body for m in messages if m.body]
            mails = env["mail.mail"].search([
                ("mail_message_id", "in", messages.ids)]).mapped("body_html")
            self.assertTrue(any("alert" in body for body in bodies),
                            "the officer's words reach the chatter")
            for html in bodies + [m for m in mails if m]:
                tree = lxml.html.fragment_fromstring(html, create_parent="div")
                self.assertFalse(tree.xpath("//script"), html)
                self.assertFalse([
                    (name, value) for element in tree.iter()
                    if isinstance(element.tag, str)
                    for name, value in element.attrib.items()
                    if name.startswith("on") or "javascript:" in value], html)
