{#- CRM evidence that reaches no lead (a deal whose contact was never loaded, a task on a lead
    quarantined at load): quarantined by marts.quarantine with its reason, never dropped silently.
    Rebuilt every run, so evidence that arrived before its person leaves once the person does. -#}
with evidence as (

    select * from {{ ref('int_crm_evidence') }}
    where rejection_reason is not null

),

final as (

    select
        source_name,
        crm as source_type,
        source_location,
        source_record_id,
        rejection_reason || ' (' || field || ' ' || coalesce(stage_value, '') || ')' as reason,
        custom_fields as raw_content,
        received_at as quarantined_at
    from evidence

)

select * from final
