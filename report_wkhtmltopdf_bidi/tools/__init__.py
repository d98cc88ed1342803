from .bidi import isolate_runs
