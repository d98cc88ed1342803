"""The benchmark's people and the real workflow they drive: the clearance's
actions and the peer's tier validation."""
import time

import odoo

from .database import transaction
from .measure import measure, run_step
from .settings import OFFICES, QUEUE_OFFICE, harness


def make_user(env, login, groups, **extra):
    """The user of that login, made first if a previous run did not (the
    harness's: its password is its login)."""
    existing = env["res.users"].search([("login", "=", login)])
    if existing:
        return existing
    if groups == ["base.group_portal"]:
        return harness.make_portal_student(env, login, login, **extra)
    return harness.make_user(env, login, *groups, email="%s@bench.test" % login,
                             **extra)


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


def fill_form(env, request):
    harness.fill_form(request)


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


def new_document(registry, people, partner_id):
    with transaction(registry, people.manager) as env:
        doc = env["clearance.bench.document"].create({
            "name": "Clearance of %s" % partner_id, "partner_id": partner_id})
        doc.request_validation()
        return doc.id


def new_floor(registry, people, partner_id, name=None):
    """A document of the floor at the first office, its to-dos given."""
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        groups = [env.ref("clearance_request.group_office_%s" % office).id
                  for office in OFFICES]
        doc = env["clearance.bench.floor"].with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True).create({
                "name": name or "Floor of %s" % partner_id,
                "partner_id": partner_id, "office_id": groups[0],
                "route": ",".join(str(gid) for gid in groups)})
        doc._hand_over_todos()
        return doc.id


def floor_forwards(registry, people, partner_id):
    """Each office's officer sends a floor document on: [(office, click s,
    click queries, after-commit s, after-commit queries)]."""
    doc_id = new_floor(registry, people, partner_id)
    steps = []
    for office in OFFICES:
        cost = run_step(
            registry, people.officers[office],
            lambda env: env["clearance.bench.floor"].browse(
                doc_id).action_forward())
        steps.append((office, cost.click_s, cost.click_q, cost.after_s,
                      cost.after_q))
    with transaction(registry, odoo.SUPERUSER_ID) as env:
        state = env["clearance.bench.floor"].browse(doc_id).state
    assert state == "cleared", state
    return steps


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
