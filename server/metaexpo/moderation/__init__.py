"""Moderation of the live hall: the rules (reserved names, what each action does and for how
long), reports, and the audit of every action. The hall's side (sessions, the ledger's
listeners) is :mod:`metaexpo.gateway.moderation`; the messages are
:mod:`metaexpo.protocol.moderation`. See docs/moderation.md.
"""
