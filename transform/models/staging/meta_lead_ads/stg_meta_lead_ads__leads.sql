-- Raw meta_leads as canonical lead columns: every version of every record (dedup is downstream).
{{ staged(source('raw', 'meta_leads')) }}
