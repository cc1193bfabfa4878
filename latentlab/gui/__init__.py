"""The Qt application: PySide6 + pyqtgraph over the core. Imports core; core never imports this."""

import gc

# torch before any PySide6 import: once PySide6 is loaded, its __feature__ import hook reads the
# source of every module imported after it (inspect.getsource), which for torch's ~900 modules
# added about 0.3 s to every start (measured with cProfile: 1,199 source reads against 336).
import torch  # noqa: F401

# torch's ~180k objects live as long as the process: moved out of the collector's sight, so that the
# full collections the start-up's own allocations trigger do not walk them all again (each such
# pass took ~0.1 s on the 2-core machine, one or two per start: bench/startup.py, coldstart_vs_imports).
gc.freeze()
