{#- The Fellegi-Sunter model, estimated from the warehouse's own pairs: for every field and
    agreement level, m = P(level | same person), u = P(level | different people)
    (int_identity_u_probabilities) and the match weight log2(m / u); the row with field
    '__prior__' holds the prior that two random records are one person (see random_prior).

    m and match_share come from expectation-maximisation over the pattern counts
    (int_identity_comparison_patterns), with u held fixed as Splink does: each round scores every
    pattern with the current weights (posterior probability of a match), then re-estimates m per
    level as the expected share of matching pairs at that level. The rounds are unrolled into CTEs (em_iterations of them) because EM over a few
    hundred patterns costs nothing and stays plain SQL that runs on DuckDB and PostgreSQL. -#}
{%- set comparisons = identity_comparisons() -%}
{%- set iterations = identity_settings()['em_iterations'] | int -%}

with

counted as (

    select
        {%- for comparison in comparisons %}
        gamma_{{ comparison.field }},
        {%- endfor %}
        cast(sum(pairs) as double precision) as pairs
    from {{ ref('int_identity_comparison_patterns') }}
    group by
        {%- for comparison in comparisons %}
        gamma_{{ comparison.field }}{% if not loop.last %},{% endif %}
        {%- endfor %}

),

patterns as (

    select
        counted.*,
        row_number() over (order by
            {%- for comparison in comparisons %}
            gamma_{{ comparison.field }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        ) as pattern_id
    from counted

),

pattern_levels as (

    {%- for comparison in comparisons %}
    {% if not loop.first %}union all{% endif %}
    select pattern_id, '{{ comparison.field }}' as field, gamma_{{ comparison.field }} as level
    from patterns where gamma_{{ comparison.field }} is not null
    {%- endfor %}

),

u_probabilities as (

    select field, level, u, max(level) over (partition by field) as top_level,
           count(*) over (partition by field) as levels
    from {{ ref('int_identity_u_probabilities') }}

),

{#- Start: matches agree at the top level nine times in ten. -#}
params_0 as (

    select field, level, u,
           case when level = top_level then 0.9 else 0.1 / (levels - 1) end as m
    from u_probabilities

),

prior_0 as (

    {# The share of pairs the certain rules link (same email, or matching name at the same
        company). Held fixed: estimated freely, EM drifts to "every candidate pair is one
        person" because blocking already picked pairs that agree on several fields. #}
    select least(greatest(coalesce(
        sum(case when gamma_email = 3
                   or (gamma_company = 2 and gamma_first_name >= 3 and gamma_last_name >= 3)
                 then pairs else 0 end) / nullif(sum(pairs), 0), 0.1), 1e-6), 1.0 - 1e-6) as match_share
    from patterns

),

{%- for i in range(1, iterations + 1) %}

scores_{{ i }} as (

    select pattern_levels.pattern_id, sum(ln(params.m / params.u)) as log_bayes_factor
    from pattern_levels
    join params_{{ i - 1 }} as params using (field, level)
    group by pattern_levels.pattern_id

),

posterior_{{ i }} as (

    select
        patterns.pattern_id,
        patterns.pairs,
        1.0 / (1.0 + exp(-least(greatest(
            ln(prior.match_share / (1.0 - prior.match_share)) + coalesce(scores.log_bayes_factor, 0.0), -50.0), 50.0)
        )) as probability
    from patterns
    cross join prior_{{ i - 1 }} as prior
    left join scores_{{ i }} as scores using (pattern_id)

),

prior_{{ i }} as (

    select match_share from prior_0

),

expected_{{ i }} as (

    select pattern_levels.field, pattern_levels.level, sum(posterior.pairs * posterior.probability) as matches
    from pattern_levels
    join posterior_{{ i }} as posterior using (pattern_id)
    group by pattern_levels.field, pattern_levels.level

),

params_{{ i }} as (

    {# a small pseudo-count keeps a level no match reached from a weight of minus infinity #}
    select
        params.field,
        params.level,
        params.u,
        (coalesce(expected.matches, 0.0) + 0.01)
            / sum(coalesce(expected.matches, 0.0) + 0.01) over (partition by params.field) as m
    from params_{{ i - 1 }} as params
    left join expected_{{ i }} as expected using (field, level)

),
{%- endfor %}

{#- The prior a pair is scored with: the probability that two RANDOM records are one person,
    as in Splink (estimate_probability_two_random_records_match), because u comes from random
    pairs. The candidate share above is right inside EM (it mixes the blocked pairs) but scoring
    with it next to random-pair u counted the blocking's evidence twice: colleagues, who agree on
    company, domain and city far more often than random pairs do, scored as one person
    (precision 0.29 at match_probability 0.5 on the hard benchmark). Estimated as the pairs the
    certain rules link over all pairs of the warehouse's touches, so it falls as the warehouse
    grows and a large warehouse asks for more evidence, as it should. -#}
random_prior as (

    select least(greatest(coalesce(
        certain.pairs / nullif(touches.n * (touches.n - 1.0) / 2.0, 0), 1e-6), 1e-12), 0.5) as match_share
    from (
        select sum(case when gamma_email = 3
                          or (gamma_company = 2 and gamma_first_name >= 3 and gamma_last_name >= 3)
                        then pairs else 0 end) as pairs
        from patterns
    ) as certain
    cross join (select cast(count(*) as double precision) as n from {{ ref('int_identity_touch_keys') }}) as touches

),

final as (

    select field, level, m, u, ln(m / u) / ln(2.0) as match_weight
    from params_{{ iterations }}

    union all

    select '__prior__', null, match_share, null, ln(match_share / (1.0 - match_share)) / ln(2.0)
    from random_prior

)

select * from final
