"""The team's inbox tools over the queue: tags, internal notes with @-mentions, bulk actions, saved replies
(macros), per-agent views and the "don't engage" mark on an author.

Each module here is the one implementation the web page, the JSON API and the CLI call. Changes to a post
go through the audit trail (``store.repo.record_event``) and, where they move a post, through the
workflow's operations (``social_care.workflow``); nothing here sets a post's status itself.
"""
