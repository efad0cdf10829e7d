{{
    config(
        materialized='incremental',
        unique_key='lead_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook="{{ delete_vanished_leads() }}"
    )
}}
-- depends_on: {{ ref('int_leads_golden') }}
{#- Per lead: the furthest positive stage, the current stage and contact figures.
    Current stage = the latest exit (disqualified/lost) when it happened at or after the furthest
    positive stage (and the lead was not won), else the furthest positive stage.
    Incremental: only the leads whose fct_lead_funnel rows were rewritten since this model's
    last run. -#}
{%- set incremental = lead_incremental() %}
with funnel as (

    select * from {{ ref('fct_lead_funnel') }}
    {%- if incremental %}
    where lead_id in ({{ refreshed_since(ref('fct_lead_funnel')) }})
    {%- endif %}

),

per_lead as (

    select
        lead_id,
        arg_max(stage, stage_order) filter (where not is_exit) as furthest_stage,
        max(stage_order) filter (where not is_exit) as furthest_stage_order,
        arg_max(entered_at, stage_order) filter (where not is_exit) as furthest_entered_at,
        arg_max(stage, entered_at) filter (where is_exit) as latest_exit_stage,
        max(entered_at) filter (where is_exit) as latest_exit_at,
        min(entered_at) filter (where stage = 'contacted') as first_contacted_at,
        max(hours_since_first_touch) filter (where stage = 'contacted') as hours_to_first_contact,
        coalesce(max(event_count) filter (where stage = 'contacted'), 0) as contact_attempts,
        list(stage order by stage_order) as stages_reached
    from funnel
    group by lead_id

),

final as (

    select
        lead_id,
        furthest_stage,
        case
            when latest_exit_stage is not null and furthest_stage <> 'won'
                 and latest_exit_at >= furthest_entered_at
                then latest_exit_stage
            else furthest_stage
        end as current_stage,
        first_contacted_at,
        hours_to_first_contact,
        contact_attempts,
        stages_reached,
        {{ this_run_at() }} as refreshed_at
    from per_lead

)

select * from final
