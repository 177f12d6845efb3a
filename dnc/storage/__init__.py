"""Storage adapters: SQLAlchemy schema, migrations, units of work, repositories.

Imports the domain; the domain never imports this package.
"""
