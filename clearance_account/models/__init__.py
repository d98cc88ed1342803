from . import clearance_stage
