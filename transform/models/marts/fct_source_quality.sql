{#- One row per source, channel and week (contract). Outcome rates are over the week's new
    leads (first touches), so a source is credited with the leads it brought first. Rates are
    null when there is nothing to divide by. -#}
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

touch_outcomes as (

    select
        touches.source_name,
        coalesce(touches.channel, '(none)') as channel,
        cast(date_trunc('week', touches.touched_at) as date) as week_start,
        touches.lead_origin,
        touches.is_valid,
        touches.is_new_lead,
        touches.is_duplicate,
        touches.is_new_lead and leads.is_mql as is_new_mql,
        {#- the one definition of "reached": int_lead_funnel_status.stages_reached #}
        {%- for s in funnel_rate_stages() if s['stage'] != 'mql' %}
        touches.is_new_lead and coalesce({{ xdb_list_contains('funnel_status.stages_reached', sql_string(s['stage'])) }}, false)
            as new_reached_{{ s['stage'] }},
        {%- endfor %}
        case when touches.is_new_lead then funnel_status.hours_to_first_contact end as new_hours_to_first_contact
    from touches
    inner join leads on leads.lead_id = touches.lead_id
    left join funnel_status on funnel_status.lead_id = touches.lead_id

),

final as (

    select
        md5(source_name || '|' || channel || '|' || week_start::varchar) as source_week_id,
        source_name,
        channel,
        week_start,
        mode(lead_origin) as lead_origin,
        count(*) as volume,
        count(*) filter (where is_new_lead) as new_leads,
        count(*) filter (where is_duplicate) as duplicate_touches,
        round(count(*) filter (where is_duplicate) / count(*), 4) as duplicate_rate,
        round(count(*) filter (where is_valid) / count(*), 4) as valid_rate,
        round(count(*) filter (where is_new_mql) / nullif(count(*) filter (where is_new_lead), 0), 4) as mql_rate,
        {%- for s in funnel_rate_stages() if s['stage'] != 'mql' %}
        round(count(*) filter (where new_reached_{{ s['stage'] }}) / nullif(count(*) filter (where is_new_lead), 0), 4)
            as {{ s['rate_column'] }},
        {%- endfor %}
        {{ xdb_median('new_hours_to_first_contact') }} as median_hours_to_first_contact
    from touch_outcomes
    group by source_name, channel, week_start

)

select * from final
