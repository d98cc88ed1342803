"""Benchmark of the clearance workflow against OCA's tier validation.

Run it with `bin/clearance bench [--quick]`. It builds the database
`clearance_bench` (clearance_request + the peer module under
benchmarks/addons), then, with 10, 1k and 100k requests in the database:

- per step of a second-shift student's clearance (submit + ten forwards),
  the SQL queries and the time of the click, run as the real user (record
  rules on), each in its own transaction as the server would: the step's
  writes, its chatter line (tracking), the to-dos and the automated
  actions' mails queued; then, apart, the work done right after the commit
  (the step's mails handed to a local SMTP sink);
- the peer: one `validate_tier` approval of an eleven-tier document;
- the officer's queue (80 rows of My queue) against the same read by a manager;
- the student portal's list and tracker, through HTTP, queries counted in
  the server;
- where a forward's queries and time go, by kind of work, beside the
  peer's;
and finally the throughput of officers driving requests through every
stage (two worker processes, mails sent after each commit), with the
workers' peak memory.

The filler requests are copies, made in SQL, of requests that went through
the real actions (lines, chatter with its tracking values and recipients,
followers and to-dos included), so the database stays consistent. The
database's mail server is a local SMTP sink (127.0.0.1:SMTP_PORT) run for
the whole benchmark; the portal's HTTP server listens on HTTP_PORT.
Results go to stdout and benchmarks/RESULTS.md.
"""
import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time

ROOT = os.environ.get("CLEARANCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
PGSOCK = os.environ.get("CLEARANCE_PGSOCK") or os.path.join(ROOT, ".state", "run")
STATE = os.path.join(ROOT, ".state")
DB = "clearance_bench"
# Ports of the portal's HTTP server and of the SMTP sink (free ones, please).
HTTP_PORT = int(os.environ.get("BENCH_HTTP_PORT") or 8570)
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT") or 8571)
OFFICES = [
    "department", "library_kharazmi", "library_shirazi", "library_mullasadra",
    "counselling", "nutrition", "student_accounting", "dormitories",
    "welfare", "second_shift_accounting",
]
QUEUE_OFFICE = "library_kharazmi"
LIST_FIELDS = ["name", "partner_id", "student_number", "reason",
               "student_shift", "stage_id", "state", "stage_date",
               "submit_date"]
CONTEXT = {"lang": "en_US", "tz": "Asia/Tehran"}

odoo = None  # imported once the configuration is known
api = None


def log(message):
    print("[bench] %s" % message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------
# database and Odoo
# ----------------------------------------------------------------------
def odoo_addons_path():
    import odoo.addons as addons
    return addons.__path__[0]


def write_config(path, db, logfile):
    with open(path, "w") as handle:
        handle.write("\n".join([
            "[options]",
            "addons_path = %s,%s,%s" % (
                ROOT, os.path.join(ROOT, "benchmarks", "addons"),
                odoo_addons_path()),
            "admin_passwd = admin",
            "db_host = %s" % PGSOCK,
            "db_port = 5432",
            "db_user = odoo",
            "db_password = False",
            "db_name = %s" % db,
            "dbfilter = ^%s$" % db,
            "list_db = False",
            "data_dir = %s" % os.path.join(STATE, "filestore"),
            "http_interface = 127.0.0.1",
            "http_port = %d" % HTTP_PORT,
            "smtp_server = 127.0.0.1",
            "smtp_port = %d" % SMTP_PORT,
            "logfile = %s" % logfile,
            "log_level = warn",
            "max_cron_threads = 0",
            "without_demo = all",
            "limit_time_real = 1200",
            "",
        ]))


def psql_admin(sql):
    import psycopg2
    conn = psycopg2.connect(host=PGSOCK, dbname="postgres", user="odoo")
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(sql)
    finally:
        conn.close()


def create_database(conf, modules):
    psql_admin('DROP DATABASE IF EXISTS "%s"' % DB)
    log("installing %s into a fresh %s" % (modules, DB))
    cmd = [sys.executable, os.path.join(ROOT, "bin", "odoo"), "-c", conf,
           "-d", DB, "-i", modules, "--stop-after-init"]
    started = time.time()
    subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL)
    log("installed in %.0f s" % (time.time() - started))


def start_odoo(conf):
    global odoo, api
    import odoo as odoo_module
    odoo = odoo_module
    from odoo import api as api_module
    api = api_module
    odoo.tools.config.parse_config(["-c", conf])
    return odoo.registry(DB)


@contextlib.contextmanager
def transaction(registry, uid, context=None):
    """One committed transaction, like one request served by Odoo."""
    with api.Environment.manage(), registry.cursor() as cr:
        yield api.Environment(cr, uid, dict(CONTEXT, **(context or {})))


class Cost:
    """What one transaction cost: the click (up to and including its
    commit) and, apart, the work Odoo does right after the commit (the
    handlers the transaction registered with `cr.after('commit', ...)`: the
    step's mails sent to the SMTP server)."""

    def __init__(self, click_s, click_q, after_s=0.0, after_q=0, hooks=(),
                 result=None):
        self.click_s, self.click_q = click_s, click_q
        self.after_s, self.after_q = after_s, after_q
        self.hooks, self.result = list(hooks), result


def hook_name(func):
    return getattr(func, "__qualname__", repr(func)).replace(".<locals>", "")


def run_step(registry, uid, action, context=None, on_commit=None):
    """Run action(env) in its own transaction, as a server does a click:
    a Cost. The after-commit handlers run right after the commit, in order,
    as `cr.commit()` runs them, but are timed and counted apart (after
    on_commit() is called, when given)."""
    with api.Environment.manage():
        cr = registry.cursor()
        hooks = []
        register = cr.after

        def after(event, func):
            if event == "commit":
                hooks.append(func)
            else:
                register(event, func)

        cr.after = after
        try:
            env = api.Environment(cr, uid, dict(CONTEXT, **(context or {})))
            start_queries = cr.sql_log_count
            start = time.perf_counter()
            result = action(env)
            cr.commit()
            elapsed = time.perf_counter() - start
            queries = cr.sql_log_count - start_queries
        finally:
            cr.after = register
            cr.close()
    if on_commit:
        on_commit()
    # the handlers' cursors add their queries to sql_counter when closed
    before = odoo.sql_db.sql_counter
    start = time.perf_counter()
    for func in hooks:
        func()
    after_s = time.perf_counter() - start
    return Cost(elapsed, queries, after_s, odoo.sql_db.sql_counter - before,
                [hook_name(f) for f in hooks], result)


def measure(registry, uid, action, context=None):
    """Run action(env) in its own transaction: (seconds, queries, result).

    The time includes the commit; the queries are those the cursor ran."""
    cost = run_step(registry, uid, action, context)
    assert not cost.hooks, cost.hooks
    return cost.click_s, cost.click_q, cost.result


# ----------------------------------------------------------------------
# people
# ----------------------------------------------------------------------
def make_user(env, login, groups, **extra):
    existing = env["res.users"].search([("login", "=", login)])
    if existing:
        return existing
    vals = {"name": login.replace(".", " ").title(), "login": login,
            "password": login, "email": "%s@bench.test" % login,
            "groups_id": [(6, 0, [env.ref(g).id for g in groups])]}
    vals.update(extra)
    return env["res.users"].with_context(no_reset_password=True).create(vals)


class People:
    """The benchmark's users: two officers per office (the manager is the
    second member of the queue's office, so every office has two), a
    manager, students and the registrar of the peer."""

    def __init__(self, registry):
        self.registry = registry
        with transaction(registry, odoo.SUPERUSER_ID) as env:
            self.manager = make_user(env, "bench.manager", [
                "clearance_request.group_clearance_manager",
                "clearance_request.group_office_%s" % QUEUE_OFFICE]).id
            self.officers = {}
            for office in OFFICES:
                group = "clearance_request.group_office_%s" % office
                self.officers[office] = make_user(
                    env, "bench.%s" % office.replace("_", "."), [group]).id
                if office != QUEUE_OFFICE:
                    make_user(env, "bench.%s.2" % office.replace("_", "."), [group])
            self.registrar = env.ref("clearance_bench_tier.user_registrar").id
            self.students = {}
            for login, shift in (("90000001", "second"), ("90000002", "day"),
                                 ("90000003", "second")):
                self.students[login] = make_user(
                    env, login, ["base.group_portal"], student_number=login,
                    student_shift=shift, student_degree="bachelor",
                    student_faculty="E-Learning").id
            self.tier_reviewers = [self.officers[o] for o in OFFICES] + [
                self.registrar]

    def partner_of(self, env, uid):
        return env["res.users"].browse(uid).partner_id


# ----------------------------------------------------------------------
# the real workflow
# ----------------------------------------------------------------------
def fill_form(env, request):
    kind = request.current_line_id.kind
    if kind == "card":
        request.write({"cur_card_received": True})
    elif kind in ("debt", "installments"):
        request.write({"cur_debt_status": "none"})


def new_request(registry, people, student_uid, reason="withdrawal"):
    with transaction(registry, student_uid) as env:
        return env["clearance.request"].create({
            "partner_id": env.user.partner_id.id, "reason": reason}).id


def current_office(registry, request_id):
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        request = env["clearance.request"].browse(request_id)
        if request.state not in ("progress", "hold"):
            return None
        group = request.stage_id.group_id
        return next(o for o in OFFICES if env.ref(
            "clearance_request.group_office_%s" % o) == group)


def served(func, retries=None):
    """func() as Odoo's server serves a call (service.model.check): done
    again, after a random pause, when PostgreSQL reports a concurrency
    failure (e.g. two transactions deleting the same old bus notifications);
    each retry is counted in `retries`."""
    import psycopg2
    import random
    from odoo.service.model import (MAX_TRIES_ON_CONCURRENCY_FAILURE,
                                    PG_CONCURRENCY_ERRORS_TO_RETRY)
    tries = 0
    while True:
        try:
            return func()
        except psycopg2.OperationalError as err:
            if err.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY or \
                    tries >= MAX_TRIES_ON_CONCURRENCY_FAILURE:
                raise
            tries += 1
            if retries is not None:
                retries.append(err.pgcode)
            time.sleep(random.uniform(0.0, 2 ** tries))


def drive(registry, people, request_id, until=None, record=None,
          deadline=None, retries=None):
    """Forward a submitted request office by office, each officer filling
    its stage form first (its own transaction, not measured), each forward
    measured with its after-commit work. Returns the office where it
    stopped (None: cleared)."""
    while True:
        office = current_office(registry, request_id)
        if office is None or office == until or (
                deadline and time.time() > deadline):
            return office
        uid = people.officers[office]

        def save_form(uid=uid):
            with transaction(registry, uid) as env:
                fill_form(env, env["clearance.request"].browse(request_id))
        served(save_form, retries)
        cost = served(lambda uid=uid: run_step(
            registry, uid,
            lambda env: env["clearance.request"].browse(
                request_id).action_forward()), retries)
        if record is not None:
            record.append((office, cost.click_s, cost.click_q, cost.after_s,
                           cost.after_q))


def full_clearance(registry, people, student_uid):
    """Submit and forward a request through all its stages: [(step, s, q)]."""
    request_id = new_request(registry, people, student_uid)
    steps = []
    cost = run_step(
        registry, student_uid,
        lambda env: env["clearance.request"].browse(request_id).action_submit())
    steps.append(("submit", cost.click_s, cost.click_q, cost.after_s,
                  cost.after_q))
    drive(registry, people, request_id, record=steps)
    return request_id, steps


# ----------------------------------------------------------------------
# the peer: OCA tier validation
# ----------------------------------------------------------------------
def new_document(registry, people, partner_id):
    with transaction(registry, people.manager) as env:
        doc = env["clearance.bench.document"].create({
            "name": "Clearance of %s" % partner_id, "partner_id": partner_id})
        doc.request_validation()
        return doc.id


def tier_approvals(registry, people, partner_id):
    doc_id = new_document(registry, people, partner_id)
    steps = []
    for uid in people.tier_reviewers:
        cost = run_step(
            registry, uid,
            lambda env: env["clearance.bench.document"].browse(
                doc_id).validate_tier())
        steps.append((uid, cost.click_s, cost.click_q, cost.after_s,
                      cost.after_q))
    elapsed, queries, _res = measure(
        registry, people.manager,
        lambda env: env["clearance.bench.document"].browse(
            doc_id).action_confirm())
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        state = env["clearance.bench.document"].browse(doc_id).state
    assert state == "confirmed", state
    return steps, (elapsed, queries)


# ----------------------------------------------------------------------
# filler: copies, in SQL, of requests that went through the real actions
# ----------------------------------------------------------------------
def columns(cr, table):
    cr.execute("""SELECT column_name FROM information_schema.columns
                  WHERE table_name = %s AND table_schema = 'public'
                  ORDER BY ordinal_position""", [table])
    return [row[0] for row in cr.fetchall()]


def unique_columns(cr, table):
    """Text columns of table under a one-column unique index."""
    cr.execute("""
        SELECT a.attname FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = %s::regclass AND i.indisunique AND i.indnatts = 1
          AND a.attname != 'id' AND a.atttypid IN ('text'::regtype,
              'varchar'::regtype, 'bpchar'::regtype)""", [table])
    return [row[0] for row in cr.fetchall()]


def copy_sql(cr, table, where, overrides, from_extra=""):
    """INSERT INTO table SELECT <its columns, some overridden> FROM table AS
    src <from_extra> WHERE <where>: one statement for all the copies. Unique
    text columns not overridden get random values of the same length."""
    overrides = dict(overrides)
    for col in unique_columns(cr, table):
        overrides.setdefault(col, (
            "upper(substr(md5(random()::text || clock_timestamp()::text), "
            "1, length(src.{col})))").format(col=col))
    cols = columns(cr, table)
    exprs = [overrides.get(col, "src.%s" % col) for col in cols]
    return "INSERT INTO %s (%s) SELECT %s FROM %s AS src %s WHERE %s" % (
        table, ", ".join('"%s"' % c for c in cols), ", ".join(exprs),
        table, from_extra, where)


def copy_rows(cr, table, where, overrides, params, from_extra=""):
    cr.execute(copy_sql(cr, table, where, overrides, from_extra), params)


class Filler:
    """Clones of prototype requests (one per typical state) and of a peer
    document half-way through its tiers."""

    # share of the filler in each prototype's state
    MIX = [("cleared_second", 0.25), ("cleared_day", 0.30), ("hold", 0.04),
           ("returned", 0.03), ("cancelled", 0.03)] + [
        ("at_%s" % office, 0.035) for office in OFFICES]

    def __init__(self, registry, people):
        self.registry = registry
        self.people = people
        self.protos = {}
        self.tier_proto = None
        self.serial = 0

    def make_prototypes(self, names=None):
        """Requests in each state of MIX, made by the real actions."""
        registry, people = self.registry, self.people
        for name, _share in self.MIX:
            if name in self.protos or (names and name not in names):
                continue
            shift = "day" if name == "cleared_day" else "second"
            with transaction(registry, odoo.SUPERUSER_ID) as env:
                number = "8%07d" % (len(self.protos) + 1)
                student = make_user(
                    env, number, ["base.group_portal"], student_number=number,
                    student_shift=shift, student_degree="bachelor",
                    student_faculty="E-Learning").id
            request_id = new_request(registry, people, student)
            with transaction(registry, student) as env:
                env["clearance.request"].browse(request_id).action_submit()
            if name.startswith("cleared"):
                drive(registry, people, request_id)
            elif name.startswith("at_"):
                drive(registry, people, request_id, until=name[3:])
            elif name == "hold":
                drive(registry, people, request_id, until="library_kharazmi")
                with transaction(registry, people.officers["library_kharazmi"]) as env:
                    env["clearance.request"].browse(request_id).hold_for_visit(
                        "Please return the two books you borrowed.")
            elif name == "returned":
                drive(registry, people, request_id, until="counselling")
                with transaction(registry, people.officers["counselling"]) as env:
                    env["clearance.request"].browse(request_id).return_to_student(
                        "The reason does not match your file.")
            elif name == "cancelled":
                drive(registry, people, request_id, until="library_shirazi")
                with transaction(registry, student) as env:
                    env["clearance.request"].browse(request_id).action_cancel()
            self.protos[name] = request_id

    def make_tier_prototype(self):
        with transaction(self.registry, odoo.SUPERUSER_ID) as env:
            partner = env["res.partner"].search(
                [("student_number", "=", "90000003")]).id
        doc_id = new_document(self.registry, self.people, partner)
        for uid in self.people.tier_reviewers[:5]:
            with transaction(self.registry, uid) as env:
                env["clearance.bench.document"].browse(doc_id).validate_tier()
        self.tier_proto = doc_id

    def count(self):
        with transaction(self.registry, odoo.SUPERUSER_ID) as env:
            env.cr.execute("SELECT count(*) FROM clearance_request")
            return env.cr.fetchone()[0]

    def grow_to(self, total):
        """Add clones until the database holds `total` requests (and as many
        peer documents)."""
        missing = total - self.count()
        if missing <= 0:
            return
        started = time.time()
        plan = []
        left = missing
        mix = [(name, share) for name, share in self.MIX if name in self.protos]
        for index, (name, share) in enumerate(mix):
            size = left if index == len(mix) - 1 else int(missing * share)
            size = min(size, left)
            left -= size
            if size:
                plan.append((name, size))
        for name, size in plan:
            with transaction(self.registry, odoo.SUPERUSER_ID) as env:
                self._clone_request(env.cr, self.protos[name], size)
        with transaction(self.registry, odoo.SUPERUSER_ID) as env:
            env.cr.execute("SELECT count(*) FROM clearance_bench_document")
            docs = env.cr.fetchone()[0]
            if total > docs:
                self._clone_document(env.cr, self.tier_proto, total - docs)
        with transaction(self.registry, odoo.SUPERUSER_ID) as env:
            env.cr.execute("ANALYZE")
        log("filled %d requests in %.0f s" % (missing, time.time() - started))

    def queue_for_throughput(self, size):
        """`size` more requests waiting at the first office, named CLR/T."""
        with transaction(self.registry, odoo.SUPERUSER_ID) as env:
            self._clone_request(env.cr, self.protos["at_department"], size,
                                prefix="CLR/T")
            env.cr.execute("ANALYZE")

    def clone_for(self, partner_id, proto, size):
        """`size` copies of a prototype request for one student."""
        with transaction(self.registry, odoo.SUPERUSER_ID) as env:
            self._clone_request(env.cr, self.protos[proto], size,
                                partner_id=partner_id)

    def _clone_request(self, cr, proto_id, size, prefix="CLR/F",
                       partner_id=None):
        self.serial += 1
        batch = self.serial
        cr.execute("SELECT partner_id, current_line_id FROM clearance_request "
                   "WHERE id = %s", [proto_id])
        proto_partner, proto_line = cr.fetchone()
        cr.execute("""
            CREATE TEMP TABLE clone_map ON COMMIT DROP AS
            SELECT g AS n, %s::integer AS fixed_partner_id,
                   nextval('res_partner_id_seq') AS partner_id,
                   nextval('clearance_request_id_seq') AS request_id,
                   now() at time zone 'UTC' - (random() * interval '300 days')
                       AS stamp
            FROM generate_series(1, %s) AS g""", [partner_id, size])
        cr.execute("CREATE INDEX ON clone_map (request_id)")
        if partner_id:
            cr.execute("UPDATE clone_map SET partner_id = fixed_partner_id")
        params = {"proto": proto_id, "partner": proto_partner,
                  "batch": batch, "prefix": prefix, "fixed": bool(partner_id)}
        # the student
        copy_rows(cr, "res_partner", "src.id = %(partner)s AND NOT %(fixed)s", {
            "id": "m.partner_id",
            "name": "'Student ' || %(batch)s || '-' || m.n",
            "display_name": "'Student ' || %(batch)s || '-' || m.n",
            "email": "'s' || %(batch)s || '-' || m.n || '@students.test'",
            "student_number": "lpad((%(batch)s * 1000000 + m.n)::text, 10, '0')",
            "commercial_partner_id": "m.partner_id",
            "create_date": "m.stamp", "write_date": "m.stamp",
        }, params, from_extra=", clone_map m")
        # the request
        copy_rows(cr, "clearance_request", "src.id = %(proto)s", {
            "id": "m.request_id",
            "name": "%(prefix)s || %(batch)s || '/' || lpad(m.n::text, 6, '0')",
            "partner_id": "m.partner_id", "user_id": "NULL",
            "student_number": "(SELECT student_number FROM res_partner p "
                              "WHERE p.id = m.partner_id)",
            "current_line_id": "NULL",
            "stage_date": "m.stamp", "submit_date": "m.stamp",
            "create_date": "m.stamp", "write_date": "m.stamp",
        }, params, from_extra=", clone_map m")
        copy_rows(cr, "clearance_request_line", "src.request_id = %(proto)s", {
                      "id": "nextval('clearance_request_line_id_seq')",
                      "request_id": "m.request_id",
                  }, params, from_extra=", clone_map m")
        if proto_line:
            cr.execute("""
                UPDATE clearance_request r SET current_line_id = l.id
                FROM clearance_request_line l, clearance_request_line p, clone_map m
                WHERE r.id = m.request_id AND l.request_id = m.request_id
                  AND p.id = %s AND l.stage_id = p.stage_id""", [proto_line])
        copy_rows(cr, "clearance_request_handled_group_rel", "src.request_id = %(proto)s",
                  {"request_id": "m.request_id"}, params,
                  from_extra=", clone_map m")
        # chatter: messages with their tracking values and recipients
        # mails already sent are gone (auto_delete), their messages with them
        cr.execute("SELECT id FROM mail_message WHERE model = 'clearance.request' "
                   "AND res_id = %s AND id NOT IN (SELECT mail_message_id "
                   "FROM mail_mail)", [proto_id])
        partner_map = ("CASE WHEN {col} = %(partner)s THEN m.partner_id "
                       "ELSE {col} END")
        for (message_id,) in cr.fetchall():
            params["message"] = message_id
            cr.execute("CREATE TEMP TABLE msg_map ON COMMIT DROP AS SELECT "
                       "request_id, partner_id, nextval('mail_message_id_seq') "
                       "AS message_id FROM clone_map")
            copy_rows(cr, "mail_message", "src.id = %(message)s", {
                "id": "m.message_id", "res_id": "m.request_id",
                "parent_id": "NULL",
                "author_id": partner_map.format(col="src.author_id"),
                "record_name": "NULL",
            }, params, from_extra=", msg_map m")
            copy_rows(cr, "mail_tracking_value", "src.mail_message_id = %(message)s", {
                          "id": "nextval('mail_tracking_value_id_seq')",
                          "mail_message_id": "m.message_id",
                      }, params, from_extra=", msg_map m")
            for rel in ("mail_message_res_partner_rel",
                        "mail_message_res_partner_needaction_rel"):
                rel_cols = columns(cr, rel)
                overrides = {"mail_message_id": "m.message_id",
                             "res_partner_id": partner_map.format(
                                 col="src.res_partner_id")}
                if "id" in rel_cols:
                    overrides["id"] = "nextval('%s_id_seq')" % rel
                copy_rows(cr, rel, "src.mail_message_id = %(message)s",
                          overrides, params, from_extra=", msg_map m")
            cr.execute("DROP TABLE msg_map")
        # followers (with their subtypes) and the offices' to-dos
        cr.execute("SELECT id FROM mail_followers WHERE res_model = "
                   "'clearance.request' AND res_id = %s", [proto_id])
        for (follower_id,) in cr.fetchall():
            params["follower"] = follower_id
            insert = copy_sql(cr, "mail_followers", "src.id = %(follower)s", {
                "id": "nextval('mail_followers_id_seq')",
                "res_id": "m.request_id",
                "partner_id": partner_map.format(col="src.partner_id"),
            }, from_extra=", clone_map m")
            cr.execute(
                "WITH ins AS (" + insert + " RETURNING id) "
                "INSERT INTO mail_followers_mail_message_subtype_rel "
                "(mail_followers_id, mail_message_subtype_id) "
                "SELECT ins.id, s.mail_message_subtype_id FROM ins, "
                "mail_followers_mail_message_subtype_rel s "
                "WHERE s.mail_followers_id = %(follower)s", params)
        copy_rows(cr, "mail_activity",
                  "src.res_model = 'clearance.request' "
                  "AND src.res_id = %(proto)s",
                  {"id": "nextval('mail_activity_id_seq')",
                   "res_id": "m.request_id",
                   "res_name": "%(prefix)s || %(batch)s || '/' || lpad(m.n::text, 6, '0')"},
                  params, from_extra=", clone_map m")
        cr.execute("DROP TABLE clone_map")

    def _clone_document(self, cr, proto_id, size):
        cr.execute("""
            CREATE TEMP TABLE doc_map ON COMMIT DROP AS
            SELECT g AS n, nextval('clearance_bench_document_id_seq') AS doc_id
            FROM generate_series(1, %s) AS g""", [size])
        params = {"proto": proto_id}
        copy_rows(cr, "clearance_bench_document", "src.id = %(proto)s",
                  {"id": "m.doc_id", "name": "'Filler document ' || m.doc_id"},
                  params, from_extra=", doc_map m")
        cr.execute("SELECT id FROM tier_review WHERE model = "
                   "'clearance.bench.document' AND res_id = %s", [proto_id])
        for (review_id,) in cr.fetchall():
            cr.execute("CREATE TEMP TABLE review_map ON COMMIT DROP AS SELECT "
                       "doc_id, nextval('tier_review_id_seq') AS review_id "
                       "FROM doc_map")
            copy_rows(cr, "tier_review", "src.id = %(review)s",
                      {"id": "m.review_id", "res_id": "m.doc_id"},
                      {"review": review_id}, from_extra=", review_map m")
            copy_rows(cr, "res_users_tier_review_rel", "src.tier_review_id = %(review)s",
                      {"tier_review_id": "m.review_id"},
                      {"review": review_id}, from_extra=", review_map m")
            cr.execute("DROP TABLE review_map")
        cr.execute("SELECT id FROM mail_message WHERE model = "
                   "'clearance.bench.document' AND res_id = %s", [proto_id])
        for (message_id,) in cr.fetchall():
            copy_rows(cr, "mail_message", "src.id = %(message)s", {
                "id": "nextval('mail_message_id_seq')", "res_id": "m.doc_id",
                "parent_id": "NULL", "record_name": "NULL",
            }, {"message": message_id}, from_extra=", doc_map m")
        cr.execute("DROP TABLE doc_map")


# ----------------------------------------------------------------------
# where a forward's queries come from
# ----------------------------------------------------------------------
def short_stack(stack):
    """The Odoo frames of a stack, outermost first, as (module, function):
    module is the addon's name, or the core file's name."""
    frames = []
    for frame in stack:
        match = re.search(r"/odoo/addons/([a-z_0-9]+)/", frame.filename) or \
            re.search(r"/(clearance_request)/", frame.filename) or \
            re.search(r"/odoo/([a-z_0-9/]+)\.py$", frame.filename)
        if match:
            frames.append((match.group(1), frame.name))
    return frames


# The kinds of work a query of the click may serve, in the order they are
# tried: the first one with a frame on the query's stack names it.
QUERY_KINDS = [
    ("commit", lambda m, f: m == "sql_db" and f == "commit"),
    ("record rules (rule domains resolved, access checks)",
     lambda m, f: (m == "base" and f in ("domain_get", "_compute_domain"))
     or f in ("check_access_rule", "_check_record_rules_result_count")),
    ("automated actions: Before/After conditions",
     lambda m, f: m in ("base_automation", "clearance_request")
     and f in ("_filter_pre", "_filter_post")),
    ("automated actions: which ones apply",
     lambda m, f: m == "base_automation" and f == "_get_actions"),
    ("template rendering", lambda m, f: m == "mail" and f in (
        "generate_email", "render_template", "render_post_process",
        "generate_recipients")),
    ("mail.mail and its message created", lambda m, f: m == "mail" and f in (
        "send_mail",)),
    ("tracking (the chatter line)", lambda m, f: m == "mail" and f in (
        "message_track", "_message_track", "_message_track_post_template")),
    ("to-dos (mail.activity)", lambda m, f: f == "_sync_office_activities"),
    ("office's words on the thread", lambda m, f: f == "_post_office_words"),
    ("a message posted (message_post)",
     lambda m, f: m == "mail" and f == "message_post"),
    ("automated actions: the server action's context",
     lambda m, f: m == "base_automation" and f == "_process"),
]
BUS_GC = ("Odoo's bus deletes its old notifications in one of a hundred "
          "sends, at random: 9 queries")
# Methods of the addon that only pass a call on (overrides of read, write,
# ...): a query is put under the addon's method that called them.
GENERIC = {"read", "write", "create", "_where_calc", "_check_ids", "_check_leaf",
           "message_post", "_process", "name_get", "<lambda>", "<listcomp>",
           "<dictcomp>", "<genexpr>"}


def query_kind(frames):
    for kind, test in QUERY_KINDS:
        if any(test(module, name) for module, name in frames):
            return kind
    names = [f for _m, f in frames]
    if ("base_automation", "_write") in frames:
        below = names[names.index("_write"):]
        if "read" in below and "origin" not in below:
            return "automated actions: old values read before the write"
    clearance = [f for m, f in frames if m == "clearance_request"]
    if any(f in ("_check_office_turn", "_lock", "_check_complete",
                 "_check_open", "_check_student_owner", "_is_manager",
                 "_start_office_action") for f in clearance):
        return "workflow checks and row lock"
    if clearance:
        return "the step's writes (line, request) and the reads they need"
    return "the action's own reads and writes"


def after_commit_kind(frames):
    names = {f for _m, f in frames}
    if {"send", "_send"} & names and any(m == "mail" for m, _f in frames):
        return "after commit: the mail sent (SMTP) and removed from the queue"
    if any(m == "bus" for m, _f in frames):
        return "after commit: bus notifications"
    return "after commit: other"


def addon_caller(frames, addon="clearance_request"):
    """The addon's innermost method on the stack that does more than pass
    a call on."""
    own = [f for m, f in frames if m == addon]
    specific = [f for f in own if f not in GENERIC]
    return (specific or own or ["(Odoo: %s)" % (
        frames[0][1] if frames else "?")])[-1]


def query_sources(registry, uid, action, dump=None, addon="clearance_request"):
    """Count the queries of action(env), its click and its after-commit
    work, by the kind of work on their stack (QUERY_KINDS) and the addon's
    method it served: {kind: {caller: count}}."""
    import traceback
    sources = {}
    stacks = []
    committed = []
    execute = odoo.sql_db.Cursor.execute

    def counting_execute(cursor, query, params=None, log_exceptions=True):
        frames = short_stack(traceback.extract_stack()[:-1])
        kind = after_commit_kind(frames) if committed else query_kind(frames)
        caller = addon_caller(frames, addon)
        by_caller = sources.setdefault(kind, {})
        by_caller[caller] = by_caller.get(caller, 0) + 1
        start = time.perf_counter()
        try:
            return execute(cursor, query, params, log_exceptions)
        finally:
            if dump is not None:
                stacks.append((kind, caller, frames, str(query)[:160],
                               time.perf_counter() - start))

    odoo.sql_db.Cursor.execute = counting_execute
    try:
        cost = run_step(registry, uid, action,
                        on_commit=lambda: committed.append(True))
    finally:
        odoo.sql_db.Cursor.execute = execute
    if dump is not None:
        with open(dump, "w") as handle:
            for kind, caller, frames, query, seconds in stacks:
                handle.write("%s | %s | %s\n    %.2f ms %s\n" % (
                    kind, caller, " > ".join("%s:%s" % fr for fr in frames),
                    seconds * 1000, query))
    return sources, cost


def time_sources(registry, steps):
    """Where the time of clicks goes: `steps` is a list of (prepare, uid,
    action), prepare() (when given) done before, unsampled;
    a thread samples the clicking thread's stack every millisecond and
    puts each sample under the kind of work on it (as query_sources does
    for queries). Returns ({kind: seconds per click}, clicks)."""
    import threading
    import traceback
    main = threading.get_ident()
    samples = {}
    state = {"phase": None, "stop": False}

    def sample():
        while not state["stop"]:
            time.sleep(0.001)
            phase = state["phase"]
            frame = sys._current_frames().get(main)  # pylint: disable=protected-access
            if phase is None or frame is None:
                continue
            frames = short_stack(traceback.extract_stack(frame))
            kind = after_commit_kind(frames) if phase == "after" else \
                query_kind(frames)
            samples[kind] = samples.get(kind, 0) + 1

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    total = {"click": 0.0, "after": 0.0}
    try:
        for prepare, uid, action in steps:
            if prepare:
                prepare()
            state["phase"] = "click"
            cost = run_step(registry, uid, action,
                            on_commit=lambda: state.update(phase="after"))
            state["phase"] = None
            total["click"] += cost.click_s
            total["after"] += cost.after_s
    finally:
        state["stop"] = True
        sampler.join()
    # samples to seconds: each phase's samples share its measured time
    out = {}
    for phase, kinds in (("after", [k for k in samples if k.startswith("after commit")]),
                         ("click", [k for k in samples if not k.startswith("after commit")])):
        count = sum(samples[k] for k in kinds) or 1
        for kind in kinds:
            out[kind] = total[phase] * samples[kind] / count / len(steps)
    return out, len(steps)


def forward_times(registry, people, student):
    """time_sources of eight forwards of one request (department to
    dormitories: each sends it to a next office)."""
    request_id = new_request(registry, people, student)
    with transaction(registry, student) as env:
        env["clearance.request"].browse(request_id).action_submit()
    steps = []
    for office in OFFICES[:8]:
        uid = people.officers[office]

        def prepare(uid=uid):
            with transaction(registry, uid) as env:
                fill_form(env, env["clearance.request"].browse(request_id))
        steps.append((prepare, uid, lambda env: env["clearance.request"].browse(
            request_id).action_forward()))
    times, _clicks = time_sources(registry, steps)
    drive(registry, people, request_id)
    return times


def validate_tier_times(registry, people, partner):
    """time_sources of the first eight validate_tier of a document."""
    doc_id = new_document(registry, people, partner)
    steps = [(None, uid, lambda env: env["clearance.bench.document"].browse(
        doc_id).validate_tier()) for uid in people.tier_reviewers[:8]]
    times, _clicks = time_sources(registry, steps)
    return times


# ----------------------------------------------------------------------
# officer's queue
# ----------------------------------------------------------------------
def queue_read(env):
    return env["clearance.request"].search_read(
        [("is_my_turn", "=", True)], LIST_FIELDS, limit=80)


def web_list_load(env):
    """What the web client does for a list: search_read, then the count
    when the page is full."""
    rows = queue_read(env)
    if len(rows) == 80:
        env["clearance.request"].search_count([("is_my_turn", "=", True)])
    return rows


def median_run(registry, uid, action, runs):
    times, counts, result = [], set(), None
    for _i in range(runs):
        elapsed, queries, result = measure(registry, uid, action)
        times.append(elapsed)
        counts.add(queries)
    return statistics.median(times), counts, result


def bench_queue(registry, people, runs):
    """The officer's and the manager's reads, alternated so that the load
    of the machine weighs the same on both."""
    officer = people.officers[QUEUE_OFFICE]
    out = {}
    for name, action in (("search_read", queue_read),
                         ("web list (search_read + search_count)", web_list_load)):
        samples = {officer: ([], set()), people.manager: ([], set())}
        rows = {}
        for _i in range(runs):
            for uid, (times, counts) in samples.items():
                elapsed, queries, rows[uid] = measure(registry, uid, action)
                times.append(elapsed)
                counts.add(queries)
        assert [r["id"] for r in rows[officer]] == [
            r["id"] for r in rows[people.manager]], \
            "the officer and the manager see different queues"
        t_off, t_man = (statistics.median(samples[u][0])
                        for u in (officer, people.manager))
        out[name] = {"officer_s": t_off, "manager_s": t_man,
                     "officer_q": samples[officer][1],
                     "manager_q": samples[people.manager][1],
                     "rows": len(rows[officer]), "ratio": t_off / t_man}
    return out


def explain_queue(registry, uid):
    """EXPLAIN ANALYZE of the queue's main query as the officer runs it."""
    captured = []
    with api.Environment.manage():
        cr = registry.cursor()
        execute = cr.execute

        def capturing(query, params=None, log_exceptions=True):
            if isinstance(query, str) and query.lstrip().startswith(
                    'SELECT "clearance_request".id'):
                captured.append((query, params))
            return execute(query, params, log_exceptions)

        cr.execute = capturing
        try:
            env = api.Environment(cr, uid, dict(CONTEXT))
            env["clearance.request"].search([("is_my_turn", "=", True)], limit=80)
            cr.execute = execute
            query, params = captured[-1]
            cr.execute("EXPLAIN ANALYZE " + query, params)
            plan = [row[0] for row in cr.fetchall()]
        finally:
            cr.execute = execute
            cr.rollback()
            cr.close()
    return plan


# ----------------------------------------------------------------------
# student portal, through HTTP, queries counted in this (server) process
# ----------------------------------------------------------------------
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


# ----------------------------------------------------------------------
# the SMTP server: a local sink that accepts every mail and counts them
# ----------------------------------------------------------------------
def smtp_sink(port, count_file):
    """Accept mails on 127.0.0.1:port until SIGTERM; keep their count in
    count_file."""
    import asyncore
    import signal
    import smtpd

    class Sink(smtpd.SMTPServer):
        received = 0

        def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
            Sink.received += 1
            with open(count_file + ".tmp", "w") as handle:
                handle.write(str(Sink.received))
            os.replace(count_file + ".tmp", count_file)

    def stop(_signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    # smtpd looks its host name up for every connection, which the client
    # would wait for: a mail server knows its name.
    smtpd.socket.getfqdn = lambda *_args: "localhost"
    Sink(("127.0.0.1", port), None, enable_SMTPUTF8=True)
    asyncore.loop(timeout=1)


class SmtpSink:
    """The sink in a process of its own, for the whole run."""

    def __init__(self, port):
        self.port = port
        self.count_file = os.path.join(STATE, "bench-smtp-count")
        if os.path.exists(self.count_file):
            os.unlink(self.count_file)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--smtp-sink",
             str(port), self.count_file], env=dict(os.environ))
        import socket
        for _i in range(100):
            with contextlib.closing(socket.socket()) as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("the SMTP sink did not start on port %d" % port)

    def received(self):
        try:
            with open(self.count_file) as handle:
                return int(handle.read() or 0)
        except (OSError, ValueError):
            return 0

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)


def use_smtp_sink(registry, port):
    """The database's only outgoing mail server: the sink."""
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        servers = env["ir.mail_server"].search([])
        values = {"name": "Benchmark SMTP sink", "smtp_host": "127.0.0.1",
                  "smtp_port": port, "smtp_encryption": "none",
                  "sequence": 1}
        if servers:
            servers[:1].write(values)
            servers[1:].unlink()
        else:
            servers.create(values)


def mail_queue_state(registry):
    """Mails of the queue by state (those sent and deleted are gone)."""
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        env.cr.execute("SELECT state, count(*) FROM mail_mail GROUP BY state")
        return dict(env.cr.fetchall())


# ----------------------------------------------------------------------
# throughput: worker processes of officers forwarding requests
# ----------------------------------------------------------------------
def worker(conf, index, count, seconds):
    """Drive this worker's share of the queued requests (named CLR/T...)
    through every stage until done or out of time, each forward's mails
    sent right after its commit; print JSON."""
    import resource
    registry = start_odoo(conf)
    people = People(registry)
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        env.cr.execute("SELECT id FROM clearance_request WHERE name LIKE "
                       "'CLR/T%%' AND state = 'progress' ORDER BY id")
        ids = [row[0] for row in env.cr.fetchall()][index::count]
    deadline = time.time() + seconds if seconds else None
    start = time.perf_counter()
    forwards = cleared = 0
    click_s = after_s = 0.0
    retries = []
    for request_id in ids:
        steps = []
        stopped = drive(registry, people, request_id, record=steps,
                        deadline=deadline, retries=retries)
        forwards += len(steps)
        click_s += sum(step[1] for step in steps)
        after_s += sum(step[3] for step in steps)
        cleared += stopped is None
        if stopped is not None:
            break
    elapsed = time.perf_counter() - start
    print(json.dumps({
        "forwards": forwards, "cleared": cleared, "seconds": elapsed,
        "click_s": click_s, "after_s": after_s, "retries": len(retries),
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def bench_throughput(conf, registry, filler, sink, total, seconds, workers=2):
    filler.queue_for_throughput(total)
    log("throughput: %d workers driving %d queued requests (%s)" % (
        workers, total, "%d s budget" % seconds if seconds else "no time limit"))
    queue_before = mail_queue_state(registry)
    received_before = sink.received()
    procs = [subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--worker", str(i),
         str(workers), str(seconds), "--conf", conf],
        stdout=subprocess.PIPE, env=dict(os.environ))
        for i in range(workers)]
    start = time.perf_counter()
    reports = []
    try:
        for proc in procs:
            out, _err = proc.communicate()
            if proc.returncode:
                raise RuntimeError("a throughput worker failed")
            reports.append(json.loads(out.decode().strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(30)
    wall = time.perf_counter() - start
    forwards = sum(r["forwards"] for r in reports)
    queue_after = mail_queue_state(registry)
    return {"workers": workers, "queued": total, "wall_s": wall,
            "budget_s": seconds,
            "forwards": forwards, "cleared": sum(r["cleared"] for r in reports),
            "per_s": forwards / max(r["seconds"] for r in reports),
            "click_s": sum(r["click_s"] for r in reports),
            "retries": sum(r["retries"] for r in reports),
            "after_s": sum(r["after_s"] for r in reports),
            "maxrss_mb": [r["maxrss_kb"] / 1024.0 for r in reports],
            "mails_received": sink.received() - received_before,
            "queue_before": queue_before, "queue_after": queue_after}


# ----------------------------------------------------------------------
# report
# ----------------------------------------------------------------------
def machine():
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = re.search(r"model name\s*:\s*(.*)", handle.read()).group(1)
    except (OSError, AttributeError):
        pass
    try:
        with open("/proc/meminfo") as handle:
            mem = int(re.search(r"MemTotal:\s*(\d+)", handle.read()).group(1))
        mem = "%.0f GiB" % (mem / 1024.0 / 1024)
    except (OSError, AttributeError):
        mem = "?"
    return "%s, %d cores, %s RAM, %s, Python %s" % (
        cpu, os.cpu_count(), mem, platform.platform(), platform.python_version())


def label(size):
    return "%dk" % (size // 1000) if size >= 1000 else str(size)


def fmt_counts(counts):
    low, high = min(counts), max(counts)
    return str(low) if low == high else "%d-%d" % (low, high)


def ms(seconds):
    return "%.0f" % (seconds * 1000) if seconds >= 0.01 else "%.1f" % (seconds * 1000)


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" for _h in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def cost_cell(counts, seconds):
    return "%s / %s" % (fmt_counts(counts), ms(seconds))


def ratio(ours, peer):
    """(time ratio, query ratio) of two (seconds, counts) medians."""
    return (ours[0] / peer[0],
            statistics.mean(ours[1]) / statistics.mean(peer[1]))


def report(results, started, finished):
    sizes = [label(r["size"]) for r in results["sizes"]]
    out = ["# Benchmark results", ""]
    out += ["- Machine: %s" % machine(),
            "- Date: %s (run took %.0f min)" % (
                started.strftime("%Y-%m-%d %H:%M UTC"),
                (finished - started).total_seconds() / 60),
            "- Command: `bin/clearance bench%s`" % "".join(
                " " + shlex.quote(a) for a in results["argv"]),
            "- Load average before / after: %s / %s (other processes share "
            "this machine; times are medians)" % (
                results["load_before"], results["load_after"]),
            "- Code measured: %s" % results["code"],
            "- PostgreSQL %s (fsync off, Unix socket); Odoo %s; each action in "
            "its own transaction as the acting user, record rules on; time "
            "includes the commit" % (results["pg"], odoo.release.version),
            "- Mail: the database's outgoing mail server is a local SMTP sink "
            "(Python's smtpd, 127.0.0.1:%d) that accepts every mail; the "
            "benchmark runs as a server does, not in test mode, so each "
            "step's mails are sent right after its commit" % SMTP_PORT,
            "- Requests in the database when each size was measured: %s "
            "(filler: copies, made in SQL, of requests that went through the "
            "real actions, with their chatter, tracking values, followers "
            "and to-dos; as many tier-validated peer documents)" % ", ".join(
                str(r["requests"]) for r in results["sizes"]),
            ""]
    out += ["## Targets", "", table(["target", "measured", "met"],
                                    targets(results)), ""]
    out += ["## Each step (queries / ms)", "",
            "A second-shift student's request: the student's submit, then each "
            "office's officer forwards it (the stage form is saved before, in "
            "its own transaction, not counted). Before the `+`: the click, one "
            "transaction with everything the step does: its writes, the "
            "chatter line (Odoo's field tracking), the to-dos moved to the "
            "next office and the automated actions' mails rendered and "
            "queued, and the commit. After the `+`: what the same server "
            "thread does right after the commit (the handlers registered "
            "with `cr.after('commit')`: the step's mails sent to the SMTP "
            "server, then deleted from the queue). Median of %s requests per "
            "size (fewer when the size's time budget ran out); the query "
            "count is the same for each request unless a range is shown (%s)."
            % ("/".join(str(r["runs"]) for r in results["sizes"]), BUS_GC), ""]
    header = ["step"] + ["%s requests" % n for n in sizes]
    steps = [step[0] for step in results["sizes"][0]["steps"]]
    rows = []
    for index, name in enumerate(steps):
        row = [name]
        for size in results["sizes"]:
            _n, elapsed, counts, after_s, after_q = size["steps"][index]
            row.append("%s + %s" % (cost_cell(counts, elapsed),
                                    cost_cell(after_q, after_s)))
        rows.append(row)
    out += [table(header, rows), ""]
    out += ["## Against OCA base_tier_validation 11.0 (eleven tiers)", "",
            "`validate_tier` by each tier's reviewer, as that reviewer, on a "
            "document with eleven tiers (ten office groups and one named "
            "user), against our office forwards to a next office (stages "
            "2-10), per click. `validate_tier` writes the review and posts a "
            "note in the document's chatter. Our forward writes the office's "
            "step and the request, tracks stage and status into a chatter "
            "line, closes the office's to-dos and gives the next office "
            "theirs, and queues the student's mail through an automated "
            "action and its template; after the commit it sends that mail. "
            "Both run in the same database, whose one core fix "
            "(`res.partner._notify_by_chat` returns at once when nobody is "
            "to be told) makes every message cheaper, the peer's note too.",
            ""]
    rows = []
    for size in results["sizes"]:
        peer, ours = size["peer"], size["ours_forward"]
        after, total = size["ours_after"], size["ours_total"]
        click_t, click_q = ratio(ours, peer)
        total_t, total_q = ratio(total, size["peer_total"])
        rows.append([label(size["size"]), cost_cell(ours[1], ours[0]),
                     cost_cell(after[1], after[0]),
                     cost_cell(peer[1], peer[0]),
                     cost_cell(size["peer_after"][1], size["peer_after"][0]),
                     "x%.2f / x%.2f" % (click_q, click_t),
                     "x%.2f / x%.2f" % (total_q, total_t)])
    out += [table(["requests (and peer documents)", "our forward: click",
                   "its mail sent after commit", "validate_tier: click",
                   "its after-commit work",
                   "click ratio ours/peer (queries / time)",
                   "whole work ratio, click + after commit"], rows), ""]
    hooks = {}
    for name in results["sources_cost"][2]:
        hooks[name] = hooks.get(name, 0) + 1
    out += ["## Where the queries go (%s requests)" % sizes[-1], "",
            "One office forward (Kharazmi Library, to the next office) as its "
            "officer, click and after-commit work. Each query of the click is "
            "counted under the first kind of work found on its call stack, "
            "in this order: record rules (a rule's domain resolved, an access "
            "check), the automated actions' Before/After conditions, the "
            "lookup of the automated actions, template rendering, the mail's "
            "creation, tracking, to-dos, a message posted, the server "
            "action's context; then the old values the automated actions "
            "read before the write, the workflow's checks and lock, and the "
            "step's own writes and reads. Beside each kind, the addon's "
            "method that led to it. Click: %d queries; after commit: %d, in "
            "%s." % (
                results["sources_cost"][0], results["sources_cost"][1],
                ", ".join("%s%s" % ("%dx " % n if n > 1 else "", name)
                          for name, n in sorted(hooks.items())) or "nothing"),
            ""]
    out += [table(["kind of work", "queries", "by clearance method"],
                  source_rows(results["sources"])), ""]
    out += ["Where the time goes: a thread samples the clicking thread's "
            "stack every millisecond during eight forwards of one request "
            "(department to dormitories) and eight `validate_tier` of one "
            "document, and puts each sample under the kind of work on the "
            "stack, as above (a query's wait for the database included); ms "
            "per click, the click's and the after-commit work's measured "
            "time shared in proportion of the samples (the sampling itself "
            "slows the clicks a little).", ""]
    kinds = sorted(set(results["time_sources"]) | set(results["peer_time_sources"]),
                   key=lambda k: -results["time_sources"].get(k, 0))
    out += [table(["kind of work", "forward ms", "validate_tier ms"], [
        [kind, ms(results["time_sources"].get(kind, 0)),
         ms(results["peer_time_sources"].get(kind, 0))] for kind in kinds] + [
        ["total", ms(sum(results["time_sources"].values())),
         ms(sum(results["peer_time_sources"].values()))]]), ""]
    out += ["The peer's first `validate_tier` of a document, the same way "
            "(click: %d queries; after commit: %d):" % tuple(
                results["peer_sources_cost"][:2]), ""]
    out += [table(["kind of work", "queries", "by base_tier_validation's method"],
                  source_rows(results["peer_sources"])), ""]
    out += ["## Officer's queue: 80 rows of My queue", "",
            "`search_read([('is_my_turn', '=', True)], <list view fields>, "
            "limit=80)` in `_order`, as an officer of %s under record rules, "
            "against a clearance manager who is a member of the same office "
            "(same rows). Median of %d runs each, alternated." % (
                QUEUE_OFFICE, results["queue_runs"]), ""]
    rows = []
    for size in results["sizes"]:
        for name, q in size["queue"].items():
            rows.append([label(size["size"]), name, q["rows"],
                         "%s / %s" % (fmt_counts(q["officer_q"]), ms(q["officer_s"])),
                         "%s / %s" % (fmt_counts(q["manager_q"]), ms(q["manager_s"])),
                         "%.2f" % q["ratio"]])
    out += [table(["requests", "read", "rows", "officer q / ms", "manager q / ms",
                   "ratio"], rows), ""]
    if results.get("explain"):
        out += ["Plan of the officer's queue query at %s requests:" % sizes[-1], "",
                "```"] + results["explain"] + ["```", ""]
    out += ["## Student portal (queries / ms)", "",
            results["portal_how"], ""]
    pages = [row[0] for row in results["sizes"][0]["portal"]]
    rows = []
    for index, page in enumerate(pages):
        row = [page]
        for size in results["sizes"]:
            _l, elapsed, counts = size["portal"][index]
            row.append("%s / %s" % (fmt_counts(counts), ms(elapsed)))
        rows.append(row)
    out += [table(["page"] + ["%s requests" % n for n in sizes], rows), ""]
    thr = results["throughput"]
    out += ["## Throughput", "",
            "%(queued)d requests waiting at the first office (copies of a "
            "submitted second-shift request) in a database of %(db)d requests; "
            "%(workers)d worker processes (one per core), each an Odoo process "
            "serving its officers' clicks one transaction at a time (stage form "
            "saved when the stage has one, then forward, then the forward's "
            "mail sent to the SMTP sink right after the commit, as a server "
            "does), drive their share request by request through every "
            "stage%(budget)s. Nothing else runs: every consequence of a "
            "forward is in its click and its after-commit sending. As Odoo's "
            "server does, a transaction that PostgreSQL fails for a "
            "concurrent update is done again after a random pause." % dict(
                thr, db=results["db_total"],
                budget=(", for at most %d s" % thr["budget_s"]
                        if thr["budget_s"] else "")), ""]
    projected = thr["queued"] * 10 / thr["per_s"] / 60
    busy = max(thr["click_s"] + thr["after_s"], 0.001)
    out += [table(["forwards", "requests cleared", "wall s", "forwards/s",
                   "peak RSS per worker (MiB)",
                   "workers' time in clicks / in after-commit sending",
                   "mails received by the SMTP sink",
                   "mails left in the queue",
                   "transactions done again after a concurrency failure",
                   "all %d requests would take" % thr["queued"]],
                  [[thr["forwards"], thr["cleared"], "%.0f" % thr["wall_s"],
                    "%.1f" % thr["per_s"],
                    ", ".join("%.0f" % m for m in thr["maxrss_mb"]),
                    "%.0f%% / %.0f%%" % (100 * thr["click_s"] / busy,
                                         100 * thr["after_s"] / busy),
                    thr["mails_received"],
                    ", ".join("%s %s" % item for item in sorted(
                        thr["queue_after"].items())) or "none",
                    thr.get("retries", 0),
                    "%.0f min" % projected]]), ""]
    return "\n".join(out)


def targets(results):
    """The targets against the numbers of this run."""
    sizes = results["sizes"]
    first, last = sizes[0], sizes[-1]
    rows = []
    for size in sizes:
        click_t, click_q = ratio(size["ours_forward"], size["peer"])
        rows.append(["a forward's click (chatter, to-dos and queued mail "
                     "included) <= 2x validate_tier's queries and time "
                     "(%s)" % label(size["size"]),
                     "%s q / %s ms against %s q / %s ms: queries x%.2f, "
                     "time x%.2f" % (
                         fmt_counts(size["ours_forward"][1]),
                         ms(size["ours_forward"][0]),
                         fmt_counts(size["peer"][1]), ms(size["peer"][0]),
                         click_q, click_t),
                     "yes" if click_q <= 2 and click_t <= 2 else "no"])
    for size in (first, last):
        total_t, total_q = ratio(size["ours_total"], size["peer_total"])
        rows.append(["for comparison, not a target: the whole work, click "
                     "and after-commit sending, against validate_tier's "
                     "(%s)" % label(size["size"]),
                     "%s q / %s ms: queries x%.2f, time x%.2f" % (
                         fmt_counts(size["ours_total"][1]),
                         ms(size["ours_total"][0]), total_q, total_t),
                     "-"])
    # The last office's forward clears the request: other writes, another
    # mail. The count is compared over the offices that send it on, each
    # step's smallest count of the size (see BUS_GC).
    sending = {min(step[2]) for s in sizes for step in s["steps"][1:-1]}
    extra = {max(step[2]) - min(step[2]) for s in sizes for step in s["steps"]}
    rows.append(["queries of a forward the same at every stage and every size",
                 "forwards to a next office: %s; the last office's (it clears "
                 "the request): %s; submit: %s%s" % (
                     ", ".join(str(c) for c in sorted(sending)),
                     ", ".join(sorted({str(min(s["steps"][-1][2]))
                                       for s in sizes})),
                     ", ".join(sorted({str(min(s["steps"][0][2]))
                                       for s in sizes})),
                     "; now and then %s more (%s)" % (
                         "/".join(str(e) for e in sorted(extra - {0})), BUS_GC)
                     if extra - {0} else ""),
                 "yes" if len(sending) == 1 else "no"])
    change = max(
        max(min(s["steps"][i][2]) for s in sizes)
        - min(min(s["steps"][i][2]) for s in sizes)
        for i in range(len(first["steps"])))
    rows.append(["queries of every step not growing with the data",
                 "largest change of a step's count from %s to %s: %d" % (
                     label(first["size"]), label(last["size"]), change),
                 "yes" if change == 0 else "no"])
    growth = last["ours_forward"][0] / first["ours_forward"][0]
    rows.append(["time per forward not growing with the data",
                 "%s ms at %s, %s ms at %s (x%.1f)" % (
                     ms(first["ours_forward"][0]), label(first["size"]),
                     ms(last["ours_forward"][0]), label(last["size"]), growth),
                 "yes" if growth < 1.5 else "no"])
    ratio_q = last["queue"]["search_read"]["ratio"]
    rows.append(["My queue as an officer <= 1.5x the manager's read (%s)" % label(last["size"]),
                 "x%.2f" % ratio_q, "yes" if ratio_q <= 1.5 else "no"])
    portal = {fmt_counts(c) for s in sizes for _p, _t, c in s["portal"]}
    rows.append(["portal queries independent of requests and stages",
                 "%s over every page and size" % ", ".join(sorted(portal)),
                 "yes" if all(
                     [fmt_counts(c) for _p, _t, c in s["portal"]]
                     == [fmt_counts(c) for _p, _t, c in first["portal"]]
                     for s in sizes) else "no"])
    thr = results["throughput"]
    left = sum(thr["queue_after"].values()) - sum(thr["queue_before"].values())
    rows.append(["%d requests through every stage by two officer processes, "
                 "every consequence included (mails sent after each commit): "
                 ">= 30 forwards/s" % thr["queued"],
                 "%d cleared in %.0f s: %.1f forwards/s; peak RSS %s MiB per "
                 "worker; %d mails received by the SMTP sink, %d more left in "
                 "the queue" % (
                     thr["cleared"], thr["wall_s"], thr["per_s"],
                     ", ".join("%.0f" % m for m in thr["maxrss_mb"]),
                     thr["mails_received"], left),
                 "yes" if thr["cleared"] == thr["queued"] and thr["per_s"] >= 30
                 and left <= 0 else "no"])
    return rows


# ----------------------------------------------------------------------
# main
# ----------------------------------------------------------------------
def git_state():
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              stdout=subprocess.PIPE, check=True).stdout.decode().strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain",
                                "--untracked-files=no"],
                               stdout=subprocess.PIPE, check=True).stdout.strip()
        return "commit %s%s" % (head, " with uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def loadavg():
    return " ".join("%.1f" % x for x in os.getloadavg())


def run(args, conf, sink):
    results = {"load_before": loadavg(), "code": git_state(), "sizes": [],
               "queue_runs": args.runs}
    registry = start_odoo(conf)
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        env.cr.execute("SHOW server_version")
        results["pg"] = env.cr.fetchone()[0]
    people = People(registry)
    use_smtp_sink(registry, SMTP_PORT)
    filler = Filler(registry, people)
    portal = Portal(registry)
    results["portal_how"] = (
        "Through HTTP (`/my/clearance`, `/my/clearance/<id>`) as the logged-in "
        "student, on an Odoo HTTP server in the benchmark's process; queries "
        "counted server-side (`odoo.sql_db.sql_counter`), time seen by the "
        "client. Median of 5 loads." if portal.available else
        "The portal pages are not installed: the model reads they need, as "
        "the student (median of 5).")
    portal_pages = None
    student = people.students["90000001"]
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        partner = env["res.users"].browse(student).partner_id.id
    for number, size in enumerate(args.sizes):
        log("=== %s requests ===" % label(size))
        deadline = time.time() + args.size_budget
        if number == 0:
            filler.make_prototypes([name for name, _s in Filler.MIX[:5]]
                                   + ["at_department"])
            filler.make_tier_prototype()
            full_clearance(registry, people, student)  # warm-up
            tier_approvals(registry, people, partner)  # warm-up
        else:
            filler.make_prototypes()
        filler.grow_to(size)
        count = filler.count()
        runs = []
        while len(runs) < args.repeat and (not runs or time.time() < deadline):
            runs.append(full_clearance(registry, people, student)[1])
        steps = []
        for index, step in enumerate(runs[0]):
            steps.append((step[0], statistics.median(r[index][1] for r in runs),
                          {r[index][2] for r in runs},
                          statistics.median(r[index][3] for r in runs),
                          {r[index][4] for r in runs}))
        # office forwards to a next office (the last office's clears)
        forwards = [(t, q, at, aq) for r in runs
                    for name, t, q, at, aq in r[1:-1]]
        peer = [t for _i in range(len(runs))
                for t in tier_approvals(registry, people, partner)[0]]
        size_result = {
            "size": size, "requests": count, "steps": steps, "runs": len(runs),
            "ours_forward": (statistics.median(f[0] for f in forwards),
                             {f[1] for f in forwards}),
            "ours_after": (statistics.median(f[2] for f in forwards),
                           {f[3] for f in forwards}),
            "ours_total": (statistics.median(f[0] + f[2] for f in forwards),
                           {f[1] + f[3] for f in forwards}),
            "peer": (statistics.median(p[1] for p in peer),
                     {p[2] for p in peer}),
            "peer_after": (statistics.median(p[3] for p in peer),
                           {p[4] for p in peer}),
            "peer_total": (statistics.median(p[1] + p[3] for p in peer),
                           {p[2] + p[4] for p in peer}),
            "queue": bench_queue(registry, people, args.runs),
        }
        if portal_pages is None:
            portal_pages = portal_students(registry, people, filler)
        size_result["portal"] = (bench_portal(portal, people, portal_pages)
                                 if portal.available else
                                 model_reads_portal(registry, people, portal_pages))
        results["sizes"].append(size_result)
        log("forward %s q, %s ms (after commit %s q, %s ms); validate_tier "
            "%s q, %s ms; queue ratio %.2f" % (
                fmt_counts(size_result["ours_forward"][1]),
                ms(size_result["ours_forward"][0]),
                fmt_counts(size_result["ours_after"][1]),
                ms(size_result["ours_after"][0]),
                fmt_counts(size_result["peer"][1]), ms(size_result["peer"][0]),
                size_result["queue"]["search_read"]["ratio"]))
    results["explain"] = explain_queue(registry, people.officers[QUEUE_OFFICE])
    request_id = new_request(registry, people, student)
    with transaction(registry, student) as env:
        env["clearance.request"].browse(request_id).action_submit()
    drive(registry, people, request_id, until="library_kharazmi")
    with transaction(registry, people.officers["library_kharazmi"]) as env:
        fill_form(env, env["clearance.request"].browse(request_id))
    sources, cost = query_sources(
        registry, people.officers["library_kharazmi"],
        lambda env: env["clearance.request"].browse(request_id).action_forward(),
        dump=os.path.join(STATE, "logs", "bench-forward-queries.txt"))
    results["sources"] = sources
    results["sources_cost"] = [cost.click_q, cost.after_q, cost.hooks]
    doc_id = new_document(registry, people, partner)
    results["peer_sources"], cost = query_sources(
        registry, people.tier_reviewers[0],
        lambda env: env["clearance.bench.document"].browse(
            doc_id).validate_tier(),
        dump=os.path.join(STATE, "logs", "bench-peer-queries.txt"),
        addon="base_tier_validation")
    results["peer_sources_cost"] = [cost.click_q, cost.after_q, cost.hooks]
    drive(registry, people, request_id)  # the student's next request follows
    results["time_sources"] = forward_times(registry, people, student)
    results["peer_time_sources"] = validate_tier_times(registry, people, partner)
    results["throughput"] = bench_throughput(
        conf, registry, filler, sink, args.throughput, args.throughput_seconds)
    results["db_total"] = filler.count()
    results["load_after"] = loadavg()
    return results


def print_summary(results):
    for size in results["sizes"]:
        print("\n%s requests (%d in the database)" % (label(size["size"]), size["requests"]))
        print("  %-26s %8s %8s %10s %10s" % (
            "step", "queries", "ms", "after q", "after ms"))
        for name, elapsed, counts, after_s, after_q in size["steps"]:
            print("  %-26s %8s %8s %10s %10s" % (
                name, fmt_counts(counts), ms(elapsed), fmt_counts(after_q),
                ms(after_s)))
        ours, peer = size["ours_forward"], size["peer"]
        after = size["ours_after"]
        print("  forward (median)           %8s %8s %10s %10s" % (
            fmt_counts(ours[1]), ms(ours[0]), fmt_counts(after[1]), ms(after[0])))
        print("  peer validate_tier         %8s %8s %10s %10s" % (
            fmt_counts(peer[1]), ms(peer[0]), fmt_counts(size["peer_after"][1]),
            ms(size["peer_after"][0])))
        print("  ratio ours/peer: time %.2f, queries %.2f" % (
            ours[0] / peer[0],
            statistics.mean(ours[1]) / statistics.mean(peer[1])))
        for name, q in size["queue"].items():
            print("  queue %-36s officer %s q %s ms, manager %s q %s ms, ratio %.2f" % (
                name, fmt_counts(q["officer_q"]), ms(q["officer_s"]),
                fmt_counts(q["manager_q"]), ms(q["manager_s"]), q["ratio"]))
        for page, elapsed, counts in size["portal"]:
            print("  portal %-34s %8s %8s" % (page, fmt_counts(counts), ms(elapsed)))
    print("\nwhere a forward's queries go (click %s, after commit %s):" % tuple(
        results["sources_cost"][:2]))
    for kind, count, callers in source_rows(results["sources"]):
        print("  %4d  %-55s %s" % (count, kind, callers))
    print("where the time goes (ms per click, ours / validate_tier):")
    for kind in sorted(set(results["time_sources"]) | set(results["peer_time_sources"]),
                       key=lambda k: -results["time_sources"].get(k, 0)):
        print("  %8s %8s  %s" % (ms(results["time_sources"].get(kind, 0)),
                                 ms(results["peer_time_sources"].get(kind, 0)), kind))
    print("where validate_tier's queries go (click %s, after commit %s):" % tuple(
        results["peer_sources_cost"][:2]))
    for kind, count, callers in source_rows(results["peer_sources"]):
        print("  %4d  %-55s %s" % (count, kind, callers))
    thr = results["throughput"]
    print("\nthroughput: %d forwards (%d requests cleared) by %d workers in %.0f s: "
          "%.1f forwards/s; peak RSS per worker %s MiB; %d mails received by "
          "the SMTP sink; mail queue after: %s" % (
              thr["forwards"], thr["cleared"], thr["workers"], thr["wall_s"],
              thr["per_s"], ", ".join("%.0f" % m for m in thr["maxrss_mb"]),
              thr["mails_received"], thr["queue_after"] or "empty"))


def source_rows(sources):
    """(kind, queries, 'caller n, ...') by decreasing count."""
    rows = []
    for kind, callers in sources.items():
        rows.append((kind, sum(callers.values()), ", ".join(
            "%s %d" % item for item in sorted(
                callers.items(), key=lambda item: -item[1]))))
    return sorted(rows, key=lambda row: -row[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="sizes 10, 1k and 10k; 500 requests for throughput")
    parser.add_argument("--reuse", action="store_true",
                        help="skip the install: go on with the last run's database "
                             "as it is (sizes it already has are not refilled)")
    parser.add_argument("--report-only", action="store_true",
                        help="write RESULTS.md again from the last run's numbers")
    parser.add_argument("--worker", nargs=3, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--smtp-sink", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--conf", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.conf, *args.worker)
        return
    if args.smtp_sink:
        smtp_sink(int(args.smtp_sink[0]), args.smtp_sink[1])
        return
    args.sizes = [10, 1000, 10000] if args.quick else [10, 1000, 100000]
    args.repeat = 3
    args.runs = 21
    args.throughput = 500 if args.quick else 10000
    # Officers click for at most this long; a run that clears fewer than
    # all the queued requests reports its rate and how long all would take.
    args.throughput_seconds = 60 if args.quick else 1800
    args.size_budget = 120 if args.quick else 240
    conf = os.path.join(STATE, "odoo-bench.conf")
    os.makedirs(os.path.join(STATE, "logs"), exist_ok=True)
    write_config(conf, DB, os.path.join(STATE, "logs", "bench-odoo.log"))
    saved = os.path.join(STATE, "bench-results.json")
    if args.report_only:
        global odoo
        import odoo as odoo_module
        odoo = odoo_module
        with open(saved) as handle:
            results = json.load(handle)
        started = datetime.datetime.strptime(results["started"], "%Y-%m-%d %H:%M:%S")
        finished = datetime.datetime.strptime(results["finished"], "%Y-%m-%d %H:%M:%S")
    else:
        started = datetime.datetime.utcnow()
        # the mail server of the whole run, the install's mails included
        sink = SmtpSink(SMTP_PORT)
        try:
            if not args.reuse:
                create_database(conf, "clearance_request,clearance_bench_tier")
            results = run(args, conf, sink)
        finally:
            sink.stop()
        finished = datetime.datetime.utcnow()
        results.update(started=started.strftime("%Y-%m-%d %H:%M:%S"),
                       finished=finished.strftime("%Y-%m-%d %H:%M:%S"),
                       argv=sys.argv[1:])
        with open(saved, "w") as handle:
            json.dump(results, handle, default=sorted)
    print_summary(results)
    text = report(results, started, finished)
    with open(os.path.join(ROOT, "benchmarks", "RESULTS.md"), "w") as handle:
        handle.write(text + "\n")
    log("wrote benchmarks/RESULTS.md")


if __name__ == "__main__":
    main()
