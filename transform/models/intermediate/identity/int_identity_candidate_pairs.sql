{#- The pairs this run compares: each new touch (a) against every touch (b) that shares a
    usable block with it or the same phone; b is new or already assigned (b_lead_id). Blocks
    and phone groups over max_block_size are skipped: they are placeholders, switchboards or
    names too common to compare everyone with everyone. Same-email pairs need no comparison
    (int_identity_links links them as certain), but they are compared when they also share a
    block, which trains the model on pairs known to be one person. -#}
{%- set max_block = identity_settings()['max_block_size'] | int -%}

with

new_touches as (

    select * from {{ ref('int_identity_new_touches') }}

),

blocks as (

    select touch_id, block_key from {{ ref('int_identity_blocks') }}

),

new_touch_blocks as (

    select blocks.touch_id, blocks.block_key
    from blocks
    join new_touches using (touch_id)

),

usable_blocks as (

    select blocks.block_key
    from blocks
    where blocks.block_key in (select block_key from new_touch_blocks)
    group by blocks.block_key
    having count(*) between 2 and {{ max_block }}

),

phone_groups as (

    select keys.phone_key
    from {{ ref('int_identity_touch_keys') }} as keys
    where keys.phone_key in (select phone_key from new_touches)
    group by keys.phone_key
    having count(*) between 2 and {{ max_block }}

),

pairs as (

    select a.touch_id as a_touch_id, b.touch_id as b_touch_id
    from new_touch_blocks as a
    join usable_blocks using (block_key)
    join blocks as b using (block_key)
    where b.touch_id <> a.touch_id

    union

    select a.touch_id, b.touch_id
    from new_touches as a
    join phone_groups using (phone_key)
    join {{ ref('int_identity_touch_keys') }} as b using (phone_key)
    where b.touch_id <> a.touch_id

),

previous as (

    select * from {{ identity_previous_assignments() }}

),

final as (

    {# a pair of two new touches is kept once (a < b) #}
    select pairs.a_touch_id, pairs.b_touch_id, previous.lead_id as b_lead_id
    from pairs
    left join previous on previous.touch_id = pairs.b_touch_id
    where previous.lead_id is not null or pairs.a_touch_id < pairs.b_touch_id

)

select * from final
