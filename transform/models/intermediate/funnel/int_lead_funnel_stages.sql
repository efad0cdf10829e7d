{#- One row per lead per funnel stage with evidence (published as marts.fct_lead_funnel).
    Duplicate events collapse to the earliest; out-of-order arrival does not matter because
    order comes from the event times; equal times are broken by the evidence text, so a rebuild
    gives the same row.
    Attribution: `source_name`/`campaign` are the first touch, `last_touch_*` the last one.
    Incremental: every stage of the leads whose evidence (int_lead_stage_events) or golden
    record was recomputed since this model's last run is rewritten. -#}
{%- set incremental = lead_incremental() %}
with
{% if incremental %}
affected_leads as (

    {{ refreshed_since(ref('int_lead_stage_events')) }}
    union
    {{ refreshed_since(ref('int_leads_golden')) }}

),
{% endif %}

stage_events as (

    select * from {{ ref('int_lead_stage_events') }}
    {%- if incremental %}
    where lead_id in (select lead_id from affected_leads)
    {%- endif %}

),

stages as (

    select * from {{ ref('funnel_stages') }}

),

leads as (

    select lead_id, first_source_name, first_campaign, last_source_name, last_campaign, first_seen_at
    from {{ ref('int_leads_golden') }}
    {%- if incremental %}
    where lead_id in (select lead_id from affected_leads)
    {%- endif %}

),

per_stage as (

    select
        lead_id,
        stage,
        min(entered_at) as entered_at,
        max(entered_at) as last_event_at,
        count(*) as event_count,
        {{ xdb_arg_min('evidence', '(entered_at, evidence, rep)') }} as evidence,
        {{ xdb_arg_min('rep', '(entered_at, evidence, rep)') }} as rep,
        {{ xdb_arg_min('evidence_source_name', '(entered_at, evidence, rep)') }} as evidence_source_name
    from stage_events
    group by lead_id, stage

),

ordered as (

    select
        per_stage.*,
        stages.stage_order,
        stages.is_exit,
        lead(per_stage.entered_at) over (
            partition by per_stage.lead_id order by per_stage.entered_at, stages.stage_order
        ) as next_stage_entered_at
    from per_stage
    inner join stages on stages.stage = per_stage.stage

),

final as (

    select
        md5(ordered.lead_id || '|' || ordered.stage) as lead_stage_id,
        ordered.lead_id,
        ordered.stage,
        ordered.stage_order,
        ordered.is_exit,
        ordered.entered_at,
        ordered.last_event_at,
        ordered.event_count,
        ordered.evidence,
        ordered.evidence_source_name,
        ordered.rep,
        {{ xdb_round(dbt.datediff('leads.first_seen_at', 'ordered.entered_at', 'second') ~ ' / 3600.0', 2) }} as hours_since_first_touch,
        {{ xdb_round(dbt.datediff('ordered.entered_at', 'ordered.next_stage_entered_at', 'second') ~ ' / 3600.0', 2) }} as hours_in_stage,
        leads.first_source_name as source_name,
        leads.first_campaign as campaign,
        leads.last_source_name as last_touch_source_name,
        leads.last_campaign as last_touch_campaign,
        {{ this_run_at() }} as refreshed_at
    from ordered
    inner join leads on leads.lead_id = ordered.lead_id

)

select * from final
