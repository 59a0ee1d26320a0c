"""Auditors' compliance checks: a registry of rules, each producing findings with evidence rows."""
