"""CRM sources (HubSpot, Salesforce): people as touches, and what sales did with them as evidence.

Each CRM writes two raw tables: its people in the canonical raw lead schema (a touch like any
other, resolved by identity with every other source) and its evidence in
``raw_tables.CRM_EVENT_SCHEMA`` (status and stage changes with the CRM's own timestamps, calls and
emails, deletions, merges, conversions). dbt turns the evidence into funnel stages
(``transform/models/intermediate/funnel/int_crm_stage_events.sql``).
"""
