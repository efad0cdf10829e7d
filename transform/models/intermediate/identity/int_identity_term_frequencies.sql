{#- How common each first name, surname and city is among all touches: the term-frequency
    adjustment of the match weight (Splink's tf adjustment) makes agreeing on a rare value
    stronger evidence than agreeing on a common one. -#}

with

keys as (

    select first_key, last_key, city_key from {{ ref('int_identity_touch_keys') }}

),

values_by_field as (

    select 'first_name' as field, first_key as value from keys where first_key is not null
    union all
    select 'last_name', last_key from keys where last_key is not null
    union all
    select 'city', city_key from keys where city_key is not null

),

final as (

    select
        field,
        value,
        cast(count(*) as double precision)
            / sum(count(*)) over (partition by field) as tf
    from values_by_field
    group by field, value

)

select * from final
