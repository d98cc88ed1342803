from . import test_compiled_once
