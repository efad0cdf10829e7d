{#- One row per source over all time: the per-source summary of fct_source_quality, plus spend
    (optional spend_csv input) as cost per lead and per MQL. -#}
-- depends_on: {{ ref('funnel_stages') }} (funnel_rate_stages() reads the seed)
with touches as (

    select * from {{ ref('fct_lead_touches') }}

),

leads as (

    select lead_id, is_mql from {{ ref('dim_leads') }}

),

funnel_status as (

    select lead_id, stages_reached, hours_to_first_contact from {{ ref('int_lead_funnel_status') }}

),

spend as (

    select * from {{ ref('int_source_spend') }}

),

per_source as (

    select
        touches.source_name,
        mode(touches.source_type) as source_type,
        mode(touches.lead_origin) as lead_origin,
        count(*) as volume,
        count(*) filter (where touches.is_new_lead) as new_leads,
        round(count(*) filter (where touches.is_duplicate) / count(*), 4) as duplicate_rate,
        round(count(*) filter (where touches.is_valid) / count(*), 4) as valid_rate,
        count(*) filter (where touches.is_new_lead and leads.is_mql) as new_mqls,
        {#- one rate per stage with a rate_column in seeds/funnel_stages.csv, from the one
            definition of "reached" (int_lead_funnel_status.stages_reached) #}
        {%- for s in funnel_rate_stages() if s['stage'] != 'mql' %}
        round(count(*) filter (where touches.is_new_lead and {{ xdb_list_contains('funnel_status.stages_reached', sql_string(s['stage'])) }})
            / nullif(count(*) filter (where touches.is_new_lead), 0), 4) as {{ s['rate_column'] }},
        {%- endfor %}
        {{ xdb_median('funnel_status.hours_to_first_contact', where='touches.is_new_lead') }} as median_hours_to_first_contact,
        min(touches.touched_at) as first_touch_at,
        max(touches.touched_at) as last_touch_at
    from touches
    inner join leads on leads.lead_id = touches.lead_id
    left join funnel_status on funnel_status.lead_id = touches.lead_id
    group by touches.source_name

),

final as (

    select
        per_source.*,
        round(per_source.new_mqls / nullif(per_source.new_leads, 0), 4) as mql_rate,
        spend.spend,
        spend.currency,
        round(spend.spend / nullif(per_source.new_leads, 0), 2) as cost_per_lead,
        round(spend.spend / nullif(per_source.new_mqls, 0), 2) as cost_per_mql
    from per_source
    left join spend on spend.source_name = per_source.source_name

)

select * from final
