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
    refresh of int_identity_touch_keys) replace their rows.

    Besides the company blocks built in int_identity_touch_keys, two kinds reach records without
    a company: the email local part (`e:`, a typo in the domain: jon.smith@acme.co and
    jon.smith@acme.com), and the phonetic surname with the first initial in one city (`s:`, both
    name orders, so a swapped and misspelt name still meets). Name blocks carry the city because
    a surname and an initial alone grow with the warehouse (at a million leads "Smith, J." is
    thousands of people) and would make identity cost quadratic; blocks over max_block_size are
    skipped when pairs are drawn, so a block's cost is bounded either way. -#}

with

keys as (

    select * from {{ ref('int_identity_touch_keys') }}
    {% if is_incremental() -%}
    where keyed_at > (select coalesce(max(keyed_at), cast('-infinity' as timestamp with time zone)) from {{ this }})
    {%- endif %}

),

company_blocks as (

    select touch_id, unnest(block_keys) as block_key, keyed_at
    from keys
    where block_keys is not null

),

other_blocks as (

    select touch_id, 'e:' || email_local as block_key, keyed_at
    from keys
    where length(email_local) >= 4

    union all

    select touch_id, 's:' || last_sound || '|' || left(first_key, 1) || '|' || city_key, keyed_at
    from keys
    where last_sound is not null and first_key is not null and city_key is not null

    union all

    select touch_id, 's:' || first_sound || '|' || left(last_key, 1) || '|' || city_key, keyed_at
    from keys
    where first_sound is not null and last_key is not null and city_key is not null
      and length(first_key) > 1

),

final as (

    select * from company_blocks
    union
    select * from other_blocks

)

select * from final
