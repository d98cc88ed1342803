from . import test_parallel
from . import test_substitution
