-- Raw hubspot_events: every loaded version of every piece of CRM evidence (dedup is downstream).
{{ staged(source('raw', 'hubspot_events')) }}
