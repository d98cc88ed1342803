"""Filling the database: copies, made in SQL, of requests (and peer
documents) that went through the real actions, with their lines, chatter,
tracking values, recipients, followers and to-dos, so that it stays
consistent."""
import time

import odoo

from .database import transaction
from .settings import OFFICES, log
from .workflow import drive, make_user, new_document, new_request


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
