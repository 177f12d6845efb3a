"""The use cases: one module per concept, each a set of functions that take
the application context (``App``: store, configuration, rules, clock) and
run their own units of work. ``dnc.service.Service`` delegates to them."""
