"""Shared foundation: settings, database, users and roles, audit log, money helpers, errors."""
