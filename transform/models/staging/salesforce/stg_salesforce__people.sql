{#- Raw salesforce_people as canonical lead columns: every loaded version, except versions the CRM has
    since deleted or merged away. The CRM says such a record no longer exists on its own, so its
    touches leave the lead union (and with them the funnel); a merged record's evidence follows
    its survivor (int_crm_stage_events). A version loaded after the deletion (a restore) stays. -#}
with people as (

    {{ staged(source('raw', 'salesforce_people')) }}

),

gone as (

    select source_name, person_record_id, max(load_id) as gone_load_id
    from {{ ref('stg_salesforce__events') }}
    where event_kind in ('deleted', 'merged') and person_record_id is not null
    group by source_name, person_record_id

),

final as (

    select people.*
    from people
    left join gone
        on gone.source_name = people.source_name and gone.person_record_id = people.source_record_id
    where gone.gone_load_id is null or people.load_id > gone.gone_load_id

)

select * from final
