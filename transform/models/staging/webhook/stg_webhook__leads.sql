-- Raw webhook_leads as canonical lead columns: every version of every record (dedup is downstream).
{{ staged(source('raw', 'webhook_leads')) }}
