{#- Raw salesforce_people as canonical lead columns: every loaded version, except versions the CRM has
    since deleted or merged away (macros/crm/crm_records.sql). Their touches leave the lead union
    (and the incremental touch table through stg_salesforce__tombstones); a merged record's
    evidence follows its survivor (int_crm_stage_events). A version loaded after the deletion stays. -#}
{{ crm_live_people(source('raw', 'salesforce_people'), ref('stg_salesforce__events')) }}
