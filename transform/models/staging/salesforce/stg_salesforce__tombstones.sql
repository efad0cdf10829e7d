{#- Salesforce leads and contacts deleted (IsDeleted through queryAll) or merged away
    (MasterRecordId), and not restored since. -#}
{{ crm_tombstones(source('raw', 'salesforce_people'), ref('stg_salesforce__events')) }}
