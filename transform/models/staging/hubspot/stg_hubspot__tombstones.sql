{#- HubSpot contacts archived (deleted) or merged into another contact, and not restored since. -#}
{{ crm_tombstones(source('raw', 'hubspot_contacts'), ref('stg_hubspot__events')) }}
