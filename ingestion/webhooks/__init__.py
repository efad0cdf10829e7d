"""Web-form webhooks: receiver (verify + store durably), landing store, payload parsing, drain.

Entry points others call:
- receiver.create_app(config) / receiver.serve(config, host, port): `leadsync serve-webhooks`
- source.webhook_source / source.retire_loaded: declared in ingestion.source_types
- source.reparse_source(config, name): `leadsync sync --reparse NAME`
- source.pending_count / source.oldest_undrained_age: the Dagster sensor and asset check
- source.forget_email(config, email): `leadsync forget`
- client.sample_submissions / client.sign_and_send: the demo
"""
