{{
    config(
        materialized='incremental',
        unique_key='run_id',
        incremental_strategy='delete+insert',
    )
}}
{#- The training data of the match model: every run's candidate pairs counted by agreement
    pattern (one row per distinct combination of levels). Counts are all EM needs, so the model
    learns from every pair the warehouse ever compared while storing a few hundred rows, and no
    personal data. A run that failed after this model and is retried adds its pairs once more
    (a new run id): a small over-weighting of those pairs, not a wrong link. -#}

with

compared as (

    select * from {{ ref('int_identity_pair_comparisons') }}

),

final as (

    select
        '{{ invocation_id }}' as run_id,
        {%- for comparison in identity_comparisons() %}
        gamma_{{ comparison.field }},
        {%- endfor %}
        count(*) as pairs
    from compared
    group by
        {%- for comparison in identity_comparisons() %}
        gamma_{{ comparison.field }}{% if not loop.last %},{% endif %}
        {%- endfor %}

)

select * from final
