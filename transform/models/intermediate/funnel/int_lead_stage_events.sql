{#- Every piece of evidence that a lead reached a funnel stage, one row each:
    `new` at the first touch, `mql` from leadsync's own ICP decision (at the first touch: the
    decision is made on the golden record, which exists from then on), sales activity events,
    and statuses that webhook/ad-platform records carry. Duplicates and out-of-order arrival
    are resolved downstream by taking the earliest time per lead and stage.
    Incremental: all evidence of a lead is rewritten when its golden record or qualification was
    recomputed since this model's last run, or when its activity evidence differs from what is
    stored here (a new, changed or re-assigned event: both the old and the new lead). -#}
{%- set incremental = lead_incremental(['refreshed_at', 'activity_id']) -%}
with leads as (

    select * from {{ ref('int_leads_golden') }}

),

qualified as (

    select * from {{ ref('int_leads_qualified') }}

),

activity as (

    select * from {{ ref('int_activity_events_resolved') }}
    where rejection_reason is null

),

touches as (

    select * from {{ ref('int_lead_touches_normalized') }}

),

identity as (

    select touch_id, lead_id from {{ ref('int_lead_identity') }}

),

status_stages as (

    select * from {{ ref('lead_status_stages') }}

),

activity_stages as (

    select lead_id, stage, occurred_at as entered_at, 'activity: ' || event as evidence,
           source_name as evidence_source_name, rep, activity_id
    from activity
    union all
    -- CRM statuses, stages, calls and emails (same columns; incremental change detection alike)
    select * from {{ ref('int_crm_stage_events') }}

),
{% if incremental %}
stored_activity_stages as (

    select lead_id, stage, entered_at, evidence, evidence_source_name, rep, activity_id
    from {{ this }}
    where activity_id is not null

),

activity_changes as (

    select lead_id from (select * from activity_stages except select * from stored_activity_stages)
    union
    select lead_id from (select * from stored_activity_stages except select * from activity_stages)

),

affected_leads as (

    {{ refreshed_since(ref('int_leads_golden')) }}
    union
    {{ refreshed_since(ref('int_leads_qualified')) }}
    union
    select lead_id from activity_changes

),
{% endif %}

new_stage as (

    select lead_id, 'new' as stage, first_seen_at as entered_at, 'first touch' as evidence,
           first_source_name as evidence_source_name, cast(null as varchar) as rep,
           cast(null as varchar) as activity_id
    from leads

),

mql_stage as (

    select leads.lead_id, 'mql' as stage, leads.first_seen_at as entered_at, 'icp score' as evidence,
           'leadsync' as evidence_source_name, cast(null as varchar) as rep,
           cast(null as varchar) as activity_id
    from leads
    inner join qualified on qualified.lead_id = leads.lead_id
    where qualified.is_mql

),

status_stage as (

    select identity.lead_id, status_stages.stage, touches.touched_at as entered_at,
           'source status: ' || touches.lead_status as evidence,
           touches.source_name as evidence_source_name, cast(null as varchar) as rep,
           cast(null as varchar) as activity_id
    from touches
    inner join identity on identity.touch_id = touches.touch_id
    inner join status_stages on status_stages.lead_status = lower(touches.lead_status)
    {%- if incremental %}
    where identity.lead_id in (select lead_id from affected_leads)
    {%- endif %}

),

unioned as (

    select * from new_stage
    union all
    select * from mql_stage
    union all
    select * from activity_stages
    union all
    select * from status_stage

),

final as (

    select
        lead_id,
        stage,
        entered_at,
        evidence,
        evidence_source_name,
        rep,
        activity_id,
        {{ this_run_at() }} as refreshed_at
    from unioned
    {%- if incremental %}
    where lead_id in (select lead_id from affected_leads)
    {%- endif %}

)

select * from final
