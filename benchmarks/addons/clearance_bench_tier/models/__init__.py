from . import clearance_bench_document
