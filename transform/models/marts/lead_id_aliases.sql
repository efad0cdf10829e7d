{#- Retired lead ids and the lead that absorbed them. When two known people turn out to be one,
    the older lead_id survives; anything that stored the retired id (a CRM, a spreadsheet, an
    activity file's lead id column) resolves it here. Always points at the current survivor. -#}

with

assignments as (

    select * from {{ ref('int_identity_assignments') }}

),

final as (

    select
        original_lead_id as retired_lead_id,
        {{ xdb_any_value('lead_id') }} as lead_id,
        min(retired_at) as merged_at
    from assignments
    where original_lead_id <> lead_id
    group by original_lead_id

)

select * from final
