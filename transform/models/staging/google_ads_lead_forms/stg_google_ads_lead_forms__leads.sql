-- Raw google_ads_leads as canonical lead columns: every version of every record (dedup is downstream).
{{ staged(source('raw', 'google_ads_leads')) }}
