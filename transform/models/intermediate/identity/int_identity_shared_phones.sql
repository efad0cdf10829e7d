{#- Phone numbers shared by people of different surnames: a company switchboard, a reception
    desk, an agency. Agreeing on one says nothing about being the same person, so the pair
    comparison treats it as no evidence. (The phone_and_name rule still links on one when the
    names agree.) -#}

with

keys as (

    select phone_key, last_sound from {{ ref('int_identity_touch_keys') }}
    where phone_key is not null and last_sound is not null

),

final as (

    select phone_key, count(distinct last_sound) as surnames
    from keys
    group by phone_key
    having count(distinct last_sound) >= 2

)

select * from final
