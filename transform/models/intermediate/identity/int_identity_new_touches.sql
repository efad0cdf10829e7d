{#- The touches this run must place: keyed, not yet assigned to a lead. Everything this run
    compares, links and clusters starts from them, so a sync's identity cost follows its new
    records, not the warehouse. -#}

with

keys as (

    select * from {{ ref('int_identity_touch_keys') }}

),

previous as (

    select * from {{ identity_previous_assignments() }}

),

final as (

    select keys.touch_id, keys.received_at, keys.email_key, keys.phone_key
    from keys
    where not exists (select 1 from previous where previous.touch_id = keys.touch_id)

)

select * from final
