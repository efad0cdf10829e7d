{#- Funnel evidence from the CRMs (HubSpot, Salesforce), in the columns of the activity evidence
    it sits beside in int_lead_stage_events: status and stage changes, calls, emails and meetings,
    each at the CRM's own timestamp (the mapping and its rules: intermediate/crm/int_crm_evidence). -#}
with evidence as (

    select * from {{ ref('int_crm_evidence') }}
    where lead_id is not null

),

final as (

    select
        lead_id,
        stage,
        occurred_at at time zone 'UTC' as entered_at,
        crm || ': ' || field || ' ' || coalesce(stage_value, '') as evidence,
        source_name as evidence_source_name,
        cast(null as varchar) as rep,
        md5(source_name || '|' || source_record_id || '|' || lead_id) as activity_id
    from evidence

)

select * from final
