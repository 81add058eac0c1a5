# Python imports this at start-up when this folder is on PYTHONPATH: guard subprocesses too.
import network_guard

network_guard.install()
