from . import models
from . import rpc
