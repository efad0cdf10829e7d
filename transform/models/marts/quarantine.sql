{#- Everything rejected, in one place (contract: nothing silently dropped): the loaders'
    quarantine rows, activity events dbt could not place, CRM evidence that reaches no lead, and
    lead records that carry no usable contact channel (they stay in fct_lead_touches with
    is_valid = false as well). -#}
with loader_rejects as (

    select * from {{ ref('stg_leadsync__quarantine') }}

),

activity_rejects as (

    select * from {{ ref('int_activity_events_resolved') }}
    where rejection_reason is not null

),

invalid_touches as (

    select * from {{ ref('fct_lead_touches') }}
    where not is_valid

),

touch_details as (

    select touch_id, source_location, source_line, custom_fields from {{ ref('int_lead_touches_normalized') }}

),

final as (

    select
        'load' as rejected_by,
        source_name,
        source_type,
        source_location,
        source_line,
        source_record_id,
        reason,
        raw_content,
        quarantined_at
    from loader_rejects

    union all

    select
        'transform' as rejected_by,
        source_name,
        'activity_csv' as source_type,
        source_location,
        source_line,
        source_record_id,
        rejection_reason as reason,
        {{ xdb_json_object([('email', 'email'), ('lead_ref', 'lead_ref'), ('event', 'event_raw'), ('occurred_at', 'occurred_at_raw'), ('rep', 'rep'), ('note', 'note')]) }}
            as raw_content,
        received_at as quarantined_at
    from activity_rejects

    union all

    select 'transform' as rejected_by, source_name, source_type, source_location, cast(null as bigint) as source_line,
           source_record_id, reason, raw_content, quarantined_at
    from {{ ref('int_crm_evidence_rejects') }}

    union all

    select
        'transform' as rejected_by,
        invalid_touches.source_name,
        invalid_touches.source_type,
        touch_details.source_location,
        touch_details.source_line,
        invalid_touches.source_record_id,
        invalid_touches.invalid_reason as reason,
        {{ xdb_json_object([('email', 'invalid_touches.email'), ('phone_e164', 'invalid_touches.phone_e164'), ('custom_fields', 'touch_details.custom_fields')]) }}
            as raw_content,
        invalid_touches.received_at as quarantined_at
    from invalid_touches
    inner join touch_details on touch_details.touch_id = invalid_touches.touch_id

)

select * from final
