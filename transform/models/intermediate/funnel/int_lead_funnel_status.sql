-- depends_on: {{ ref('int_leads_golden') }}
{#- Per lead: the furthest positive stage, the current stage, the stages reached and contact
    figures. `stages_reached` is the one definition of "the lead reached stage X" that
    fct_source_quality, fct_source_summary and the report (through dim_leads) all read: a
    stage with evidence, plus every stage that seeds/funnel_stages.csv marks
    reached_by_later_stage when evidence of a later positive stage exists (a won lead was
    contacted even if nobody logged the call). `mql` is only ever leadsync's ICP decision.
    Current stage = the latest exit (disqualified/lost) when it happened at or after the furthest
    positive stage (and the lead was not won), else the furthest positive stage. Which stage is
    "first contact" and which is "won" is the seed's funnel_role column, not a name written here.
    Incremental: only the leads whose int_lead_funnel_stages rows were rewritten since this
    model's last run. -#}
{%- set incremental = lead_incremental() %}
with stages as (

    select * from {{ ref('funnel_stages') }}

),

funnel as (

    select funnel_stages.*, stages.funnel_role
    from {{ ref('int_lead_funnel_stages') }} as funnel_stages
    left join stages on stages.stage = funnel_stages.stage
    {%- if incremental %}
    where funnel_stages.lead_id in ({{ refreshed_since(ref('int_lead_funnel_stages')) }})
    {%- endif %}

),

-- the positive stages each lead reached, with evidence or implied by a later one
reached as (

    select distinct funnel.lead_id, stages.stage, stages.stage_order
    from funnel
    inner join stages
        on not stages.is_exit
        and (stages.stage = funnel.stage
             or (stages.reached_by_later_stage and not funnel.is_exit and stages.stage_order < funnel.stage_order))

),

stages_reached as (

    select lead_id, {{ xdb_list_agg('stage', order_by='stage_order') }} as stages_reached
    from reached
    group by lead_id

),

per_lead as (

    select
        lead_id,
        {{ xdb_arg_max('stage', 'stage_order', where='not is_exit') }} as furthest_stage,
        max(stage_order) filter (where not is_exit) as furthest_stage_order,
        {{ xdb_arg_max('entered_at', 'stage_order', where='not is_exit') }} as furthest_entered_at,
        {{ xdb_arg_max('stage', '(entered_at, stage_order)', where='is_exit') }} as latest_exit_stage,
        max(entered_at) filter (where is_exit) as latest_exit_at,
        min(entered_at) filter (where funnel_role = 'first_contact') as first_contacted_at,
        max(hours_since_first_touch) filter (where funnel_role = 'first_contact') as hours_to_first_contact,
        coalesce(max(event_count) filter (where funnel_role = 'first_contact'), 0) as contact_attempts
    from funnel
    group by lead_id

),

final as (

    select
        per_lead.lead_id,
        per_lead.furthest_stage,
        case
            when latest_exit_stage is not null and furthest_stage not in (select stage from stages where funnel_role = 'closed_won')
                 and latest_exit_at >= furthest_entered_at
                then latest_exit_stage
            else furthest_stage
        end as current_stage,
        per_lead.first_contacted_at,
        per_lead.hours_to_first_contact,
        per_lead.contact_attempts,
        coalesce(stages_reached.stages_reached, array[]::varchar[]) as stages_reached,
        {{ this_run_at() }} as refreshed_at
    from per_lead
    left join stages_reached on stages_reached.lead_id = per_lead.lead_id

)

select * from final
