"""Alerts: what a message says (render), who gets it (routing) and how it is sent (senders).

Nothing here touches the database: the core's dispatcher hands each outbox row to `send`.
"""
