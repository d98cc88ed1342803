"""The README's Production runbook, command for command: a university's server
set up by `bin/clearance prod-setup` from a production.conf, served by
`prod-serve` (not as root) behind a real nginx with the site `prod-files`
writes, a second server beside it, logs rotated, backed up, restored under a
new name and upgraded."""
import contextlib
import glob
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import xmlrpc.client

import psutil
import requests
import urllib3

from . import harness

BIN = os.path.join(harness.ROOT, "bin", "clearance")
PGBIN = "/usr/lib/postgresql/15/bin"
STUDENT = "9900001"
FORWARDED_FOR_FORGED = "203.0.113.7"

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)


def run(*args, check=True, timeout=1800, command=BIN):
    """A bin/clearance command as the README gives it: (status, output)."""
    process = subprocess.run(
        [command] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, timeout=timeout, universal_newlines=True)
    if check and process.returncode:
        raise AssertionError("bin/clearance %s failed (%s):\n%s" % (
            " ".join(args), process.returncode, process.stdout[-6000:]))
    return process.returncode, process.stdout


class SourceAddressAdapter(requests.adapters.HTTPAdapter):
    """Requests sent from another loopback address (a client that is not
    the proxy itself)."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


class Deployment:
    """The production setup in a folder of its own: configuration, runtime,
    data, private PostgreSQL, Odoo servers and nginx."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="clearance-prod-")
        os.chmod(self.dir, 0o755)
        self.db = "university"
        self.ports = {name: harness.free_port() for name in (
            "http", "longpolling", "http2", "longpolling2", "http3",
            "longpolling3", "https", "plain")}
        self.conf = self.write_conf("production.conf")
        self.servers = []
        self.nginx = None

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def write_conf(self, name, database=None, http="http",
                   longpolling="longpolling", data="data", postgresql=""):
        """A production.conf; `postgresql`: the [postgresql] lines of a
        server the university runs (empty: the private cluster)."""
        ports = self.ports
        text = """[server]
database = {database}
public_url = https://clearance.test:{https}
http_port = {http}
longpolling_port = {longpolling}
user = clearance
workers = 2
prefix = {dir}/opt
data_dir = {dir}/{data}
backup_dir = {dir}/backups
accounting = true

[postgresql]
{postgresql}

[university]
name = دانشگاه آزمایشی
logo = {root}/clearance_request/demo/university_logo.png
currency = IRR
timezone = Asia/Tehran
email = clearance@university.test
phone = 021-00000000
website = https://www.university.test

[mail]
smtp_host = 127.0.0.1
smtp_port = 1
smtp_encryption = none

[nginx]
server_name = clearance.test
certificate = {dir}/tls/cert.pem
certificate_key = {dir}/tls/key.pem
https_port = {https}
http_port = {plain}
upstreams = 127.0.0.1:{http1}:{lp1} 127.0.0.1:{http2}:{lp2}
""".format(database=database or self.db, dir=self.dir, root=harness.ROOT,
           data=data, postgresql=postgresql or "host =\nport = 5432",
           https=ports["https"], plain=ports["plain"], http=ports[http],
           longpolling=ports[longpolling], http1=ports["http"],
           lp1=ports["longpolling"], http2=ports["http2"],
           lp2=ports["longpolling2"])
        path = self.path(name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        return path

    # servers ------------------------------------------------------------
    def serve(self, conf, port):
        process = subprocess.Popen(
            [BIN, "prod-serve", conf], stdin=subprocess.DEVNULL,
            stdout=open(self.path("serve-%s.out" % port), "w"),
            stderr=subprocess.STDOUT, start_new_session=True)
        self.servers.append(process)
        url = "http://127.0.0.1:%s" % port
        if not harness.wait_for(lambda: self.healthy(url), 180, 0.5):
            raise AssertionError("the server did not start:\n" + self.log_tail())
        return process

    @staticmethod
    def healthy(url):
        try:
            return requests.get(url + "/health", timeout=5).status_code in (
                200, 503)
        except requests.RequestException:
            return False

    @staticmethod
    def stop(process):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def log_tail(self, size=6000, data="data"):
        with contextlib.suppress(OSError), open(
                self.path(data, "log", "odoo.log"), errors="replace") as log:
            return log.read()[-size:]
        return ""

    def start_nginx(self):
        os.makedirs(self.path("tls"))
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-subj", "/CN=clearance.test", "-days", "2",
             "-keyout", self.path("tls", "key.pem"),
             "-out", self.path("tls", "cert.pem")],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        run("prod-files", self.conf, self.path("files"))
        nginx = self.path("nginx")
        os.makedirs(nginx)
        with open(self.path("nginx", "nginx.conf"), "w") as handle:
            handle.write("""worker_processes 1;
pid {nginx}/nginx.pid;
error_log {nginx}/error.log;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    access_log {nginx}/access.log;
    client_body_temp_path {nginx}/body;
    proxy_temp_path {nginx}/proxy;
    include {files}/clearance-nginx.conf;
}}
""".format(nginx=nginx, files=self.path("files")))
        subprocess.run(["nginx", "-c", self.path("nginx", "nginx.conf")],
                       check=True)
        self.nginx = self.path("nginx", "nginx.pid")

    def stop_nginx(self):
        if self.nginx:
            subprocess.run(["nginx", "-c", self.path("nginx", "nginx.conf"),
                            "-s", "stop"], check=False)

    def psql(self, sql, database=None):
        out = subprocess.run(
            ["runuser", "-u", "postgres", "--", PGBIN + "/psql", "-X", "-tA",
             "-h", self.path("data", "run"), "-d", database or self.db,
             "-c", sql], check=True, stdout=subprocess.PIPE,
            universal_newlines=True).stdout
        return [line.split("|") for line in out.strip().splitlines()]

    def close(self):
        for process in self.servers:
            self.stop(process)
        self.stop_nginx()
        subprocess.run(["runuser", "-u", "postgres", "--", PGBIN + "/pg_ctl",
                        "-D", self.path("data", "pgdata"), "-m", "fast",
                        "stop"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        if not os.environ.get("CLEARANCE_KEEP_PRODUCTION"):
            shutil.rmtree(self.dir, ignore_errors=True)

    # clients -------------------------------------------------------------
    @property
    def proxy(self):
        return "https://127.0.0.1:%s" % self.ports["https"]

    def rpc(self, login, password, url=None):
        context = ssl._create_unverified_context()  # the test's own certificate
        url = url or self.proxy
        common = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/common",
                                           context=context)
        uid = common.authenticate(self.db, login, password, {})
        assert uid, "%s could not log in" % login
        models = xmlrpc.client.ServerProxy(
            url + "/xmlrpc/2/object", context=context, allow_none=True)

        def call(model, method, *args, **kwargs):
            return models.execute_kw(self.db, uid, password, model, method,
                                     list(args), kwargs)
        call.uid = uid
        return call

    def browser(self, source=None):
        session = requests.Session()
        # the test's own certificate; and no CA bundle or proxy of the
        # environment (requests would let them override verify=False)
        session.trust_env = False
        session.verify = False
        session.headers["Host"] = "clearance.test:%s" % self.ports["https"]
        if source:
            session.mount("https://", SourceAddressAdapter(source))
        return session

    def login(self, session, login, password):
        page = session.get(self.proxy + "/web/login", timeout=30)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token, page.text[:2000]
        return session.post(self.proxy + "/web/login", timeout=60, data={
            "login": login, "password": password,
            "csrf_token": token.group(1), "redirect": "/my"})


def forward_until_cleared(admin, request_id, stop_after=None, on_stop=None):
    """Forward the request as the clearance manager, each stage's form filled
    first; a refused or lost call is looked at again and retried, as an
    officer reloads the form. Returns the number of retries."""
    retries = forwards = 0
    while True:
        try:
            request = admin("clearance.request", "read", [request_id],
                            ["state", "current_line_id"])[0]
            if request["state"] == "cleared":
                return retries
            kind = admin("clearance.request.line", "read",
                         [request["current_line_id"][0]], ["kind"])[0]["kind"]
            if kind == "card":
                admin("clearance.request", "write", [request_id],
                      {"cur_card_received": True})
            elif kind in ("debt", "installments"):
                admin("clearance.request", "write", [request_id],
                      {"cur_debt_status": "none"})
            admin("clearance.request", "action_forward", [request_id],
                  context={"clearance_expected_line_id":
                           request["current_line_id"][0]})
            forwards += 1
            if stop_after is not None and forwards == stop_after:
                on_stop()
        except (xmlrpc.client.Fault, xmlrpc.client.ProtocolError,
                ConnectionError, OSError):
            retries += 1
            if retries > 20:
                raise
            time.sleep(1)


@unittest.skipUnless(os.geteuid() == 0, "the production setup runs as root")
class TestProduction(unittest.TestCase):
    """One deployment, its steps in order (each test needs the ones before)."""

    @classmethod
    def setUpClass(cls):
        cls.deployment = deployment = Deployment()
        try:
            started = time.time()
            status, output = run("prod-setup", deployment.conf)
            cls.setup_seconds = time.time() - started
            cls.setup_output = output
            match = re.search(r"administrator 'admin', password \(shown only "
                              r"now, keep it\): (\S+)", output)
            assert match, output[-3000:]
            cls.admin_password = match.group(1)
            deployment.start_nginx()
            deployment.server = deployment.serve(
                deployment.conf, deployment.ports["http"])
        except BaseException:
            deployment.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.deployment.close()

    def admin(self, url=None):
        return self.deployment.rpc("admin", self.admin_password, url)

    # 1. the setup ----------------------------------------------------------
    def test_1_setup_is_durable_without_demo_and_the_universitys(self):
        d = self.deployment
        self.assertEqual(d.psql("SHOW fsync"), [["on"]])
        self.assertEqual(d.psql("SHOW full_page_writes"), [["on"]])
        self.assertEqual(d.psql("SHOW data_checksums"), [["on"]])
        # Odoo's role owns its database and is no superuser
        self.assertEqual(d.psql(
            "SELECT r.rolname, r.rolsuper, r.rolcreatedb FROM pg_database d "
            "JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = '%s'"
            % d.db), [["clearance", "f", "f"]])
        # no demo data, no demo login, no admin/admin
        self.assertEqual(d.psql(
            "SELECT count(*) FROM ir_module_module WHERE demo"), [["0"]])
        logins = {row[0] for row in d.psql("SELECT login FROM res_users")}
        self.assertFalse(logins & {"manager", "department", "9811001"})
        common = xmlrpc.client.ServerProxy(
            "http://127.0.0.1:%s/xmlrpc/2/common" % d.ports["http"])
        self.assertFalse(common.authenticate(d.db, "admin", "admin", {}))
        # every product addon, Persian
        installed = {row[0] for row in d.psql(
            "SELECT name FROM ir_module_module WHERE state = 'installed'")}
        product = os.environ.get("ADDONS", "").split(",") if os.environ.get(
            "ADDONS") else [os.path.basename(os.path.dirname(manifest))
                            for manifest in glob.glob(os.path.join(
                                harness.ROOT, "*", "__manifest__.py"))]
        self.assertFalse(set(product) - installed)
        self.assertEqual(d.psql(
            "SELECT active FROM res_lang WHERE code = 'fa_IR'"), [["t"]])
        # the university's name, logo, currency, zone and public address
        admin = self.admin()
        company = admin("res.company", "search_read", [],
                        ["name", "currency_id", "email", "logo"])[0]
        self.assertEqual(company["name"], "دانشگاه آزمایشی")
        self.assertEqual(company["currency_id"][1], "IRR")
        self.assertEqual(company["email"], "clearance@university.test")
        self.assertTrue(company["logo"])
        self.assertEqual(admin("res.users", "read", [admin.uid], ["tz"])[0]["tz"],
                         "Asia/Tehran")
        self.assertEqual(d.psql(
            "SELECT key, value FROM ir_config_parameter WHERE key LIKE "
            "'web.base.url%' ORDER BY key"),
            [["web.base.url", "https://clearance.test:%s" % d.ports["https"]],
             ["web.base.url.freeze", "True"]])
        self.assertEqual(d.psql(
            "SELECT smtp_host, smtp_port FROM ir_mail_server WHERE active"),
            [["127.0.0.1", "1"]])
        # Odoo's processes do not run as root
        users = {process.username() for process in psutil.Process(
            d.server.pid).children(recursive=True)
            if "odoo" in " ".join(process.cmdline())}
        self.assertEqual(users, {"clearance"})
        print("\nprod-setup: %.0f s" % self.setup_seconds)

    def test_1_bin_odoo_runs_as_documented(self):
        process = subprocess.run(
            [os.path.join(harness.ROOT, "bin", "odoo"), "--version"],
            cwd="/", stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            universal_newlines=True, timeout=120)
        self.assertEqual(process.returncode, 0, process.stdout)
        self.assertIn("Odoo Server 11.0", process.stdout)

    def test_1_a_second_setup_changes_nothing_and_shows_no_password(self):
        status, output = run("prod-setup", self.deployment.conf)
        # the database exists: no new administrator password
        self.assertNotIn("administrator 'admin', password", output)
        self.admin()  # the password printed the first time still works

    # 2. the proxy ------------------------------------------------------------
    def test_2_proxy_tls_redirect_headers_and_database_manager(self):
        d = self.deployment
        browser = d.browser()
        plain = requests.get(
            "http://127.0.0.1:%s/web/login" % d.ports["plain"],
            headers={"Host": "clearance.test"}, allow_redirects=False,
            timeout=30)
        self.assertEqual(plain.status_code, 301)
        self.assertEqual(plain.headers["Location"],
                         "https://clearance.test:%s/web/login" % d.ports["https"])
        for path, status in (("/web/login", 200), ("/my", 302),
                             ("/web/database/manager", 404),
                             ("/web/database/list", 404),
                             ("/longpolling/poll", None),
                             ("/no/such/page", 404)):
            response = browser.get(d.proxy + path, allow_redirects=False,
                                   timeout=30)
            if status:
                self.assertEqual(response.status_code, status, path)
            raw = response.raw.headers
            self.assertEqual(raw.getlist("X-Frame-Options"), ["SAMEORIGIN"],
                             path)
            self.assertEqual(raw.getlist("Content-Security-Policy"),
                             ["frame-ancestors 'self'"], path)
            self.assertIn("max-age=", response.headers[
                "Strict-Transport-Security"], path)
            self.assertEqual(response.headers["X-Content-Type-Options"],
                             "nosniff", path)
            self.assertEqual(response.headers["Referrer-Policy"],
                             "same-origin", path)
            self.assertNotIn("Werkzeug", response.headers.get("Server", ""))
            for cookie in raw.getlist("Set-Cookie"):
                self.assertIn("Secure", cookie)
                self.assertIn("SameSite=Lax", cookie)

    def test_2_forwarded_for_honoured_and_a_forged_one_ignored(self):
        d = self.deployment
        browser = d.browser(source="127.0.0.2")
        browser.headers["X-Forwarded-For"] = FORWARDED_FOR_FORGED
        response = d.login(browser, "admin", self.admin_password)
        self.assertEqual(response.status_code, 200)
        lines = [line for line in d.log_tail(200000).splitlines()
                 if "Login successful for db:%s login:admin" % d.db in line]
        self.assertTrue(lines)
        self.assertIn("from 127.0.0.2", lines[-1])
        self.assertNotIn(FORWARDED_FOR_FORGED, lines[-1])

    def prepare_student_and_request(self):
        """A student with a portal login, and their request cleared by the
        offices (the manager acting for each), through the proxy."""
        if getattr(type(self), "cleared_id", None):
            return type(self).cleared_id
        admin = self.admin()
        portal = admin("ir.model.data", "xmlid_to_res_id", "base.group_portal")
        admin("res.users", "create", {
            "name": "Student Production", "login": STUDENT,
            "password": "Student-%s-password" % STUDENT,
            "student_number": STUDENT, "student_shift": "day",
            "student_degree": "bachelor", "email": "s@students.test",
            "groups_id": [(6, 0, [portal])]},
            context={"no_reset_password": True})
        partner = admin("res.users", "search_read", [("login", "=", STUDENT)],
                        ["partner_id"])[0]["partner_id"][0]
        request_id = admin("clearance.request", "create", {
            "partner_id": partner, "reason": "withdrawal"})
        admin("clearance.request", "action_submit", [request_id])
        forward_until_cleared(admin, request_id)
        type(self).cleared_id = request_id
        return request_id

    def test_2_login_attachment_certificate_and_long_polling(self):
        d = self.deployment
        request_id = self.prepare_student_and_request()
        student = d.browser()
        response = d.login(student, STUDENT, "Student-%s-password" % STUDENT)
        self.assertEqual(response.status_code, 200)
        # Odoo 11 answers a login with a page that sends the browser on
        my = student.get(d.proxy + "/my/clearance", allow_redirects=False,
                         timeout=60)
        self.assertEqual(my.status_code, 200)  # anonymous: 302 to the login
        self.assertNotIn('name="login"', my.text)
        # the certificate, printed by wkhtmltopdf in a worker with the limits
        peak = [0]
        done = threading.Event()

        def sample():
            while not done.is_set():
                rss = sum(p.memory_info().rss for p in psutil.process_iter()
                          if p.name().startswith("wkhtmltopdf"))
                peak[0] = max(peak[0], rss)
                time.sleep(0.05)
        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            pdf = student.get(d.proxy + "/my/clearance/%s/certificate"
                              % request_id, timeout=300)
        finally:
            done.set()
            sampler.join()
        self.assertEqual(pdf.status_code, 200, pdf.text[:500])
        self.assertEqual(pdf.headers["Content-Type"], "application/pdf")
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        print("\ncertificate through the proxy: %d bytes, wkhtmltopdf peak "
              "%.0f MiB" % (len(pdf.content), peak[0] / 2 ** 20))
        # a 10 MB attachment, uploaded by the administrator's web client
        admin_browser = d.browser()
        d.login(admin_browser, "admin", self.admin_password)
        page = admin_browser.get(d.proxy + "/web", timeout=60)
        token = re.search(r'csrf_token: "([^"]+)"', page.text)
        self.assertTrue(token, page.text[:1000])
        content = os.urandom(10 * 1024 * 1024)
        upload = admin_browser.post(
            d.proxy + "/web/binary/upload_attachment", timeout=300,
            data={"model": "clearance.request", "id": request_id,
                  "callback": "done", "csrf_token": token.group(1)},
            files={"ufile": ("scan.pdf", content, "application/pdf")})
        self.assertEqual(upload.status_code, 200, upload.text[:500])
        admin = self.admin()
        attachment = admin("ir.attachment", "search_read", [
            ("res_model", "=", "clearance.request"),
            ("res_id", "=", request_id), ("name", "=", "scan.pdf")],
            ["file_size", "checksum"])
        self.assertEqual([a["file_size"] for a in attachment],
                         [len(content)])
        # a long-polling notification, through the proxy's /longpolling/
        partner = admin("res.users", "search_read", [("login", "=", STUDENT)],
                        ["partner_id"])[0]["partner_id"][0]
        answer = {}

        def poll():
            answer["response"] = student.post(
                d.proxy + "/longpolling/poll", timeout=120, json={
                    "jsonrpc": "2.0", "method": "call", "params": {
                        "channels": [], "last": 0, "options": {}}})
        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(2)
        # (over JSON-RPC: XML-RPC cannot carry sendone's answer, None)
        sent = admin_browser.post(
            d.proxy + "/web/dataset/call_kw/bus.bus/sendone", timeout=60,
            json={"jsonrpc": "2.0", "method": "call", "params": {
                "model": "bus.bus", "method": "sendone", "kwargs": {},
                "args": [[d.db, "res.partner", partner],
                         {"type": "production_test", "text": "hello"}]}})
        self.assertNotIn("error", sent.json())
        poller.join(90)
        self.assertFalse(poller.is_alive(), "no notification arrived")
        result = answer["response"].json()["result"]
        self.assertIn({"type": "production_test", "text": "hello"},
                      [note["message"] for note in result])

    # 3. two servers ----------------------------------------------------------
    def test_3_two_servers_share_sessions_and_take_over(self):
        d = self.deployment
        self.prepare_student_and_request()
        # The second machine reaches the first's PostgreSQL by connection
        # settings, as any server of the university's would, and shares the
        # filestore (an NFS mount there, a link here).
        os.makedirs(d.path("data2"))
        os.symlink(d.path("data", "filestore"), d.path("data2", "filestore"))
        with open(d.path("data", ".pgpassword")) as handle:
            password = handle.read().strip()
        settings = "host = %s\nport = 5432\nuser = clearance\npassword = %s" % (
            d.path("data", "run"), password)
        # a superuser is refused before anything is done with it
        d.psql("CREATE ROLE clearance_su LOGIN SUPERUSER PASSWORD 'su-password'",
               "postgres")
        refused = d.write_conf(
            "superuser.conf", http="http2", longpolling="longpolling2",
            data="data3", postgresql=settings.replace(
                "user = clearance", "user = clearance_su").replace(
                password, "su-password"))
        status, output = run("prod-setup", refused, check=False)
        self.assertNotEqual(status, 0)
        self.assertIn("superuser", output)
        self.assertFalse(os.path.exists(d.path("data3", "etc", "odoo.conf")))
        conf2 = d.write_conf("second.conf", http="http2",
                             longpolling="longpolling2", data="data2",
                             postgresql=settings)
        status, output = run("prod-setup", conf2)
        self.assertIn("owns 'university' and is no superuser", output)
        # the database exists: no new administrator password
        self.assertNotIn("administrator 'admin', password", output)
        second = d.serve(conf2, d.ports["http2"])
        student = d.browser()
        d.login(student, STUDENT, "Student-%s-password" % STUDENT)
        # the session works on each server directly
        for port in (d.ports["http"], d.ports["http2"]):
            page = requests.get(
                "http://127.0.0.1:%s/my/clearance" % port, timeout=30,
                cookies={"session_id": student.cookies["session_id"]},
                allow_redirects=False)
            self.assertEqual(page.status_code, 200, "%s:\n%s\n%s" % (
                port, d.log_tail(3000), d.log_tail(3000, "data2")))
        # officers at work while the first server stops
        admin = self.admin()
        partner = admin("res.partner", "create", {
            "name": "Student Two Servers", "student_number": "9900002",
            "student_shift": "day", "student_degree": "bachelor"})
        request_id = admin("clearance.request", "create", {
            "partner_id": partner, "reason": "expulsion"})
        admin("clearance.request", "action_submit", [request_id])
        retries = forward_until_cleared(
            admin, request_id, stop_after=3,
            on_stop=lambda: d.stop(d.server))
        self.assertEqual(admin("clearance.request", "read", [request_id],
                               ["state"])[0]["state"], "cleared")
        # every step closed once, none left half-advanced
        self.assertEqual(d.psql(
            "SELECT count(*) FILTER (WHERE state NOT IN ('done', 'skipped')),"
            " count(*) FROM clearance_request_line WHERE request_id = %s"
            % request_id)[0][0], "0")
        page = student.get(d.proxy + "/my/clearance", timeout=30,
                           allow_redirects=False)
        self.assertEqual(page.status_code, 200)
        print("\nfirst server stopped after 3 forwards: %d calls retried" % retries)
        d.server = d.serve(d.conf, d.ports["http"])
        d.stop(second)

    # 4. logs -------------------------------------------------------------------
    def test_4_logs_rotate_and_odoo_writes_to_the_new_file(self):
        d = self.deployment
        log = d.path("data", "log", "odoo.log")
        subprocess.run(["logrotate", "-f", "-s", d.path("logrotate.state"),
                        d.path("files", "clearance.logrotate")], check=True)
        rotated = glob.glob(log + "-*")
        self.assertTrue(rotated)
        requests.get("http://127.0.0.1:%s/web/login" % d.ports["http"],
                     timeout=30)
        self.assertTrue(harness.wait_for(
            lambda: os.path.exists(log) and os.path.getsize(log) > 0, 30, 0.5))

    # 5. backup, restore, upgrade ----------------------------------------------
    def test_5_backup_restore_keeps_everything_and_certificates_verify(self):
        d = self.deployment
        request_id = self.prepare_student_and_request()
        # nothing writes while the counts are compared (a backup of a live
        # server is as good, but its database may move on after it)
        d.stop(d.server)
        started = time.time()
        status, output = run("prod-backup", d.conf)
        backup_seconds = time.time() - started
        archive = output.strip().splitlines()[-1]
        self.assertTrue(os.path.exists(archive), output)
        started = time.time()
        run("prod-restore", d.conf, archive, "restored")
        print("\nbackup %.1f s (%d bytes), restore %.1f s" % (
            backup_seconds, os.path.getsize(archive), time.time() - started))
        counts = ("SELECT (SELECT count(*) FROM clearance_request), "
                  "(SELECT count(*) FROM clearance_request_line), "
                  "(SELECT count(*) FROM mail_message), "
                  "(SELECT count(*) FROM ir_attachment)")
        self.assertEqual(d.psql(counts), d.psql(counts, "restored"))
        stored = d.psql("SELECT store_fname FROM ir_attachment WHERE "
                        "store_fname IS NOT NULL", "restored")
        self.assertTrue(stored)
        for (store_fname,) in stored:
            self.assertTrue(os.path.exists(d.path(
                "data", "filestore", "filestore", "restored", store_fname)),
                store_fname)
        code = d.psql("SELECT certificate_code FROM clearance_request "
                      "WHERE id = %s" % request_id, "restored")[0][0]
        self.assertTrue(code)
        conf3 = d.write_conf("restored.conf", database="restored",
                             http="http3", longpolling="longpolling3")
        restored = d.serve(conf3, d.ports["http3"])
        try:
            page = requests.get("http://127.0.0.1:%s/clearance/verify/%s"
                                % (d.ports["http3"], code), timeout=60)
            self.assertEqual(page.status_code, 200, d.log_tail())
            self.assertIn(STUDENT, page.text)
        finally:
            d.stop(restored)
        # a restore never overwrites a database
        status, output = run("prod-restore", d.conf, archive, d.db,
                             check=False)
        self.assertNotEqual(status, 0)
        self.assertIn("exists", output)

    def test_6_upgrade_takes_a_backup_then_updates_every_addon(self):
        d = self.deployment
        if d.server.poll() is None:
            d.stop(d.server)
        before = set(glob.glob(d.path("backups", "*.tar")))
        status, output = run("prod-upgrade", d.conf)
        self.assertIn("upgraded", output)
        self.assertEqual(
            len(set(glob.glob(d.path("backups", "*.tar"))) - before), 1)
        d.server = d.serve(d.conf, d.ports["http"])
        health = requests.get("http://127.0.0.1:%s/health" % d.ports["http"],
                              timeout=30)
        self.assertEqual(json.loads(health.text)["database"], "ok")

    def test_7_a_failed_upgrade_stops_and_says_how_to_restore(self):
        d = self.deployment
        if d.server.poll() is None:
            d.stop(d.server)
        # A release whose data refers to a record that does not exist.
        release = d.path("broken-release")
        os.makedirs(release)
        for name in os.listdir(harness.ROOT):
            source = os.path.join(harness.ROOT, name)
            if name in (".venv", "node_modules"):
                os.symlink(source, os.path.join(release, name))
            elif name in (".git", ".state", "artifacts"):
                continue
            elif os.path.isdir(source):
                shutil.copytree(source, os.path.join(release, name),
                                symlinks=True)
            else:
                shutil.copy2(source, release)
        menus = os.path.join(release, "clearance_request", "views",
                             "clearance_menus.xml")
        with open(menus, encoding="utf-8") as handle:
            text = handle.read()
        with open(menus, "w", encoding="utf-8") as handle:
            handle.write(text.replace("</odoo>", (
                '<menuitem id="menu_broken" parent="clearance_menu_root" '
                'action="clearance_request.no_such_action"/></odoo>')))
        before = set(glob.glob(d.path("backups", "*.tar")))
        status, output = run("prod-upgrade", d.conf, check=False,
                             command=os.path.join(release, "bin", "clearance"))
        self.assertNotEqual(status, 0, output[-3000:])
        self.assertIn("the upgrade FAILED", output)
        taken = set(glob.glob(d.path("backups", "*.tar"))) - before
        self.assertEqual(len(taken), 1, output[-3000:])
        # the restore it prints, run as printed, brings the data back
        restore = re.search(r"bin/clearance (prod-restore \S+ (\S+) (\S+))",
                            output)
        self.assertTrue(restore, output[-3000:])
        self.assertEqual(restore.group(2), taken.pop())
        run(*restore.group(1).split())
        self.assertEqual(
            d.psql("SELECT count(*) FROM clearance_request WHERE state = "
                   "'cleared' AND certificate_code IS NOT NULL",
                   restore.group(3)),
            [[str(len(d.psql("SELECT id FROM clearance_request WHERE state ="
                             " 'cleared'")))]])
