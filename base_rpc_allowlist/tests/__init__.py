from . import test_rpc_allowlist
