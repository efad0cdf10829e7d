{#- One row per source over all time: the per-source summary of fct_source_quality, plus spend
    (optional spend_csv input) as cost per lead and per MQL. -#}
with touches as (

    select * from {{ ref('fct_lead_touches') }}

),

leads as (

    select lead_id, is_mql from {{ ref('dim_leads') }}

),

funnel_status as (

    select lead_id, stages_reached, hours_to_first_contact from {{ ref('int_lead_funnel_status') }}

),

spend_rows as (

    select * from {{ ref('stg_spend_csv__spend') }}
    {{ latest_version() }}

),

spend as (

    select
        lead_source_name as source_name,
        sum({{ parse_scaled_number('amount_raw') }}) as spend,
        min(upper(currency)) as currency
    from spend_rows
    group by lead_source_name

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
        {%- for stage in ['contacted', 'responded', 'qualified', 'opportunity', 'won'] %}
        round(count(*) filter (where touches.is_new_lead and list_contains(funnel_status.stages_reached, '{{ stage }}'))
            / nullif(count(*) filter (where touches.is_new_lead), 0), 4) as {{ 'contact' if stage == 'contacted' else stage }}_rate,
        {%- endfor %}
        median(funnel_status.hours_to_first_contact) filter (where touches.is_new_lead) as median_hours_to_first_contact,
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
