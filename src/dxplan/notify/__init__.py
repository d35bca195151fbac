"""Reminders and notifications: digests of what each unit owes, sent exactly once.

`digest` chooses what to tell whom (pure), `gather` finds the items and the people,
`writing` writes a digest in its reader's language, `channels` deliver it (e-mail,
webhook) and `service` runs it all with the sent log (`store.notifications`).
"""
