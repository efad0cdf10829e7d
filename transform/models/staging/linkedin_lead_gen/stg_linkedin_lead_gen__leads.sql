-- Raw linkedin_leads as canonical lead columns: every version of every record (dedup is downstream).
{{ staged(source('raw', 'linkedin_leads')) }}
