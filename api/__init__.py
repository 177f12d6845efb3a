"""The HTTP API (``dnc serve``): one more thin shell over ``dnc.Service``.

Installed as ``dnc.api``. Like the CLI it parses, makes one ``Service`` call
and renders; it imports only the public ``dnc`` names. docs/http.md is its
reference, docs/deployment.md how to run many of it.
"""
