from . import test_isolate_runs
