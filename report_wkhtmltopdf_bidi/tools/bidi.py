"""Every run of one script in its own span, for wkhtmltopdf."""
import re

import lxml.html

# Arabic-script letters and digits (not its punctuation), and ZWNJ.
_ARABIC = (
    "\u0610-\u061a\u0620-\u0669\u066e-\u06d3\u06d5-\u06ff\u200c"
    "\ufb50-\ufdff\ufe70-\ufefc")
# Runs of Arabic-script letters, of Latin letters and digits, of anything
# else but spaces.
_RUNS = re.compile(
    "[%s]+|[A-Za-z0-9]+|[^\\sA-Za-z0-9%s]+" % (_ARABIC, _ARABIC))
_NOT_TEXT = ("style", "script", "title")


def _run_spans(text, make_span):
    """text as a list of spans, one per run, with the spaces in between as
    their tails; returns (leading spaces, spans)."""
    spans = []
    lead, position = None, 0
    for match in _RUNS.finditer(text):
        gap = text[position:match.start()] or None
        if spans:
            spans[-1].tail = gap
        else:
            lead = gap
        spans.append(make_span(match.group()))
        position = match.end()
    if spans:
        spans[-1].tail = text[position:] or None
    return lead, spans


def isolate_runs(html):
    """Put every run of one script in its own span.

    wkhtmltopdf 0.12.6 on Debian (QtWebKit 5) misplaces right-to-left text
    when one text node mixes Persian with digits or punctuation, and does not
    wrap long Persian lines; the same text split into spans lays out right."""
    root = lxml.html.document_fromstring(html)

    def make_span(text):
        span = root.makeelement("span", {})
        span.text = text
        return span

    for node in list(root.body.iter()):
        if not isinstance(node.tag, str):
            continue
        if node.text and node.tag not in _NOT_TEXT:
            lead, spans = _run_spans(node.text, make_span)
            node.text = lead
            for index, span in enumerate(spans):
                node.insert(index, span)
        parent = node.getparent()
        if node.tail and node is not root.body and parent is not None:
            tail, spans = _run_spans(node.tail, make_span)
            node.tail = tail
            at = parent.index(node) + 1
            for index, span in enumerate(spans):
                parent.insert(at + index, span)
    return lxml.html.tostring(
        root, doctype="<!DOCTYPE html>", encoding="utf-8")
