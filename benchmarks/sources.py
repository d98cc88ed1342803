"""Where a step's queries and time go, by kind of work and by caller."""
import re
import sys
import time

import odoo

from .database import transaction
from .measure import run_step
from .settings import OFFICES
from .workflow import drive, fill_form, new_document, new_request


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
