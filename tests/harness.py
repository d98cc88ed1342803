"""The system tests' harness, which the benchmark uses too: Odoo servers
started on a port of their own, an XML-RPC client, the people of a clearance
(officers, students), a stage's form filled as its officer would, the
offices, an Odoo configuration file, a statement on the cluster, a database
dropped."""
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client

import odoo
from odoo.addons.clearance_request.tests.common import (  # noqa: F401 (shared)
    DEMO_OFFICER_LOGINS, OFFICES, fill_form, make_officer as make_user,
    make_student as make_portal_student)

ROOT = os.environ.get("CLEARANCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
RPC_TIMEOUT = 120
START_TIMEOUT = 180
# What an Odoo server started here reads from the running configuration.
SERVER_OPTIONS = ("addons_path", "db_host", "db_port", "db_user",
                  "db_password", "data_dir", "admin_passwd")


def write_config(path, options):
    """An Odoo configuration file: `options` ({name: value}) under [options]."""
    with open(path, "w") as handle:
        handle.write("[options]\n" + "".join(
            "%s = %s\n" % item for item in options.items()))


def office_groups(offices):
    return ["clearance_request.group_office_%s" % office for office in offices]


def make_officer(env, login, offices, **extra):
    """An internal user serving `offices` (keys of OFFICES), in the
    language of `env` (a copy of the test database may have only Persian)."""
    extra.setdefault("lang", env.context.get("lang") or False)
    return make_user(env, login, *office_groups(offices), **extra)


def make_student(env, number, portal=False, shift="second"):
    """A student's partner id, in the language of `env`; with portal=True,
    a portal user (password = number) whose partner it is."""
    vals = {"name": "Student %s" % number, "student_number": number,
            "email": "%s@students.test" % number,
            "student_shift": shift, "student_degree": "bachelor",
            "lang": env.context.get("lang") or False}
    if not portal:
        return env["res.partner"].create(vals).id
    return make_portal_student(
        env, number, vals.pop("name"), shift, **vals).partner_id.id


def free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres(sql):
    """A statement on the cluster's maintenance database."""
    db = odoo.sql_db.db_connect("postgres")
    with contextlib.closing(db.cursor()) as cr:
        cr.autocommit(True)
        cr.execute(sql)


def drop_database(name):
    odoo.modules.registry.Registry.delete(name)
    odoo.sql_db.close_db(name)
    postgres("""SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = '%s' AND pid != pg_backend_pid()""" % name)
    postgres('DROP DATABASE IF EXISTS "%s"' % name)
    shutil.rmtree(odoo.tools.config.filestore(name), ignore_errors=True)


def wait_for(condition, timeout, step=0.05):
    """condition()'s first true value within timeout seconds, or None."""
    deadline = time.time() + timeout
    while True:
        value = condition()
        if value or time.time() > deadline:
            return value
        time.sleep(step)


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
    """`bin/odoo --workers=2` on one database, on free ports, without
    scheduled actions (the tests run them when they mean to)."""

    def __init__(self, db, workdir, addons_path=None):
        self.db = db
        self.workdir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.conf = os.path.join(workdir, "odoo.conf")
        self.log = os.path.join(workdir, "odoo.log")
        options = {key: odoo.tools.config[key] for key in SERVER_OPTIONS}
        options["addons_path"] = addons_path or options["addons_path"]
        write_config(self.conf, options)
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

    def run_mail_scheduler(self):
        """Odoo's mail scheduler, run by this server as its cron thread runs
        it (the scheduled action's own code, as its user)."""
        admin = self.rpc("admin", "admin")
        cron_id = admin("ir.model.data", "xmlid_to_res_id",
                        "mail.ir_cron_mail_scheduler_action")
        admin("ir.cron", "method_direct_trigger", [cron_id])
