{{
    config(
        materialized='incremental',
        unique_key='touch_id',
        incremental_strategy='delete+insert',
        post_hook="{{ identity_forget_vanished_touches() }}",
    )
}}
{#- The blocking index: one row per (touch, blocking key), appended as touches arrive. Matching
    a run's new touches reads only the blocks they fall in, so its cost follows the new touches
    and the size of their blocks, not the size of the warehouse. Touches re-keyed (a full
    refresh of int_identity_touch_keys) replace their rows. -#}

with

keys as (

    select touch_id, block_keys, keyed_at from {{ ref('int_identity_touch_keys') }}
    {% if is_incremental() -%}
    where keyed_at > (select coalesce(max(keyed_at), '-infinity'::timestamptz) from {{ this }})
    {%- endif %}

),

final as (

    select touch_id, unnest(block_keys) as block_key, keyed_at
    from keys
    where block_keys is not null

)

select * from final
