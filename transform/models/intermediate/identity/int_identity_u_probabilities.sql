{#- u probabilities: how often two records of *different* people agree at each level. Estimated
    as Splink does (estimate_u_using_random_sampling): random pairs are almost all non-matches,
    so the level frequencies among them are u. The sample is deterministic (touches ordered by
    a hash of their id, each paired with the next ten), so the same warehouse gives the same
    weights. Candidate pairs cannot give u: blocking chose them for agreeing. -#}
{%- set sample_touches = identity_settings()['u_sample_touches'] | int -%}

with

sample as (

    select touch_id, row_number() over (order by md5(touch_id), touch_id) as position
    from {{ ref('int_identity_touch_keys') }}

),

random_pairs as (

    select a.touch_id as a_touch_id, b.touch_id as b_touch_id
    from sample as a
    join sample as b on b.position between a.position + 1 and a.position + 10
    where a.position <= {{ sample_touches }} and b.position <= {{ sample_touches }}

),

compared as (

    select * from {{ identity_compared_pairs('random_pairs') }}

),

levels as (

    {%- for comparison in identity_comparisons() %}
    {% if not loop.first %}union all{% endif %}
    select '{{ comparison.field }}' as field, gamma_{{ comparison.field }} as level
    from compared where gamma_{{ comparison.field }} is not null
    {%- endfor %}

),

catalogue as (

    {%- for comparison in identity_comparisons() %}
    {%- set outer = loop %}
    {%- for label in comparison.levels %}
    {% if not (outer.first and loop.first) %}union all{% endif %}
    select '{{ comparison.field }}' as field, {{ loop.index0 }} as level
    {%- endfor %}
    {%- endfor %}

),

counted as (

    select catalogue.field, catalogue.level, count(levels.level) as pairs
    from catalogue
    left join levels using (field, level)
    group by catalogue.field, catalogue.level

),

final as (

    {# one pseudo-pair per level keeps a level never seen among random pairs finite #}
    select
        field,
        level,
        (pairs + 1.0) / sum(pairs + 1.0) over (partition by field) as u
    from counted

)

select * from final
