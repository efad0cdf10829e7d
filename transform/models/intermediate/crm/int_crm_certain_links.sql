{#- Pairs of CRM records the CRM itself says are one person, for identity to treat as certain
    links (the interface: a_touch_id, b_touch_id, match_rule, linked_at; touch ids as in
    int_lead_touches_normalized):
    - crm_merge: a record merged into another (HubSpot hs_merged_object_ids, Salesforce
      MasterRecordId); a is the merged-away record, b its survivor.
    - crm_conversion: a Salesforce lead converted into a contact (ConvertedContactId); a is the
      contact, b the lead. -#}
with events as (

    select * from {{ ref('stg_hubspot__events') }}
    union all
    select * from {{ ref('stg_salesforce__events') }}

),

latest as (

    {{ latest_version_of('events') }}

),

pairs as (

    select source_name, person_record_id as a_record_id, related_record_id as b_record_id,
           'crm_merge' as match_rule, occurred_at as linked_at
    from latest
    where event_kind = 'merged' and person_record_id is not null and related_record_id is not null

    union all

    select source_name, related_record_id, person_record_id, 'crm_conversion', occurred_at
    from latest
    where event_kind = 'converted' and person_record_id is not null and related_record_id is not null

),

final as (

    select
        md5(source_name || '|' || a_record_id) as a_touch_id,
        md5(source_name || '|' || b_record_id) as b_touch_id,
        source_name,
        a_record_id,
        b_record_id,
        match_rule,
        min(linked_at) as linked_at
    from pairs
    where a_record_id <> b_record_id
    group by source_name, a_record_id, b_record_id, match_rule

)

select * from final
