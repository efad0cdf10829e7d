{{
    config(
        materialized='incremental',
        unique_key='touch_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        full_refresh=false,
        post_hook="{{ identity_forget_vanished_touches() }}",
    )
}}
{# The memory of identity resolution: touch_id -> lead_id, kept across runs.

    Each component of this run (int_identity_components) becomes a lead: with no existing lead,
    a new one (its id derived from its earliest touch); with one, the new touches join it; with
    several, the oldest lead survives and the others are retired (their touches re-pointed here,
    the old id kept in original_lead_id -> marts.lead_id_aliases). Ties are broken by stable
    keys (creation run, first touch time, id), never by row order. `full_refresh=false`: a
    `dbt build --full-refresh` leaves this memory alone (ids would otherwise be re-derived and
    merges forgotten); to start identity over, drop the table on purpose. #}
{%- set now = identity_now() -%}

with

previous as (

    {% if is_incremental() -%}
    select * from {{ this }}
    {%- else -%}
    select
        cast(null as varchar) as touch_id,
        cast(null as varchar) as lead_id,
        cast(null as varchar) as original_lead_id,
        cast(null as varchar) as match_rule,
        cast(null as timestamp with time zone) as assigned_at,
        cast(null as timestamp with time zone) as updated_at,
        cast(null as timestamp with time zone) as retired_at,
        cast(null as varchar) as guard_cluster_id,
        cast(null as integer) as guard_cluster_size
    where false
    {%- endif %}

),

new_touches as (

    select * from {{ ref('int_identity_new_touches') }}

),

components as (

    select * from {{ ref('int_identity_components') }}

),

links as (

    select * from {{ ref('int_identity_links') }}

),

kept_links as (

    select * from {{ ref('int_identity_kept_links') }}

),

existing_leads as (

    select
        previous.lead_id,
        min(previous.assigned_at) as created_at,
        min(keys.received_at) as first_received_at
    from previous
    join {{ ref('int_identity_touch_keys') }} as keys on keys.touch_id = previous.touch_id
    where previous.lead_id in (select b_lead_id from links)
    group by previous.lead_id

),

candidates as (

    {# what each node would name its component: an existing lead's own id, or a new id from a
        new touch; the oldest existing lead wins, else the earliest new touch #}
    select
        components.component,
        coalesce(existing_leads.lead_id, 'lead_' || left(md5(new_touches.touch_id), 20)) as lead_id,
        row_number() over (
            partition by components.component
            order by
                existing_leads.lead_id is null,
                coalesce(existing_leads.created_at, {{ now }}),
                coalesce(existing_leads.first_received_at, new_touches.received_at),
                coalesce(existing_leads.lead_id, new_touches.touch_id)
        ) as preference
    from components
    left join existing_leads on components.node = 'l:' || existing_leads.lead_id
    left join new_touches on components.node = 't:' || new_touches.touch_id

),

component_leads as (

    select component, lead_id from candidates where preference = 1

),

touch_best_rule as (

    select touch_id, min(rule_rank) as rule_rank
    from (
        select a_touch_id as touch_id, rule_rank from kept_links
        union all
        select b_touch_id, rule_rank from kept_links
    ) as ends
    group by touch_id

),

new_assignments as (

    select
        new_touches.touch_id,
        component_leads.lead_id,
        component_leads.lead_id as original_lead_id,
        coalesce({{ identity_rule_from_rank('touch_best_rule.rule_rank') }}, 'singleton') as match_rule,
        {{ now }} as assigned_at,
        {{ now }} as updated_at,
        cast(null as timestamp with time zone) as retired_at,
        components.guard_cluster_id,
        cast(components.guard_cluster_size as integer) as guard_cluster_size
    from new_touches
    join components on components.node = 't:' || new_touches.touch_id
    join component_leads on component_leads.component = components.component
    left join touch_best_rule on touch_best_rule.touch_id = new_touches.touch_id

),

lead_moves as (

    {# existing leads whose component is now named after another (older) lead #}
    select existing_leads.lead_id as from_lead_id, component_leads.lead_id as to_lead_id
    from existing_leads
    join components on components.node = 'l:' || existing_leads.lead_id
    join component_leads on component_leads.component = components.component
    where component_leads.lead_id <> existing_leads.lead_id

),

updated_assignments as (

    {# touches already assigned whose lead was retired, or which were alone until a new
        touch linked to them #}
    select
        previous.touch_id,
        coalesce(lead_moves.to_lead_id, previous.lead_id) as lead_id,
        previous.original_lead_id,
        case
            when previous.match_rule = 'singleton' and touch_best_rule.rule_rank is not null
                then {{ identity_rule_from_rank('touch_best_rule.rule_rank') }}
            else previous.match_rule
        end as match_rule,
        previous.assigned_at,
        {{ now }} as updated_at,
        case when lead_moves.to_lead_id is not null then coalesce(previous.retired_at, {{ now }})
             else previous.retired_at end as retired_at,
        previous.guard_cluster_id,
        previous.guard_cluster_size
    from previous
    left join lead_moves on lead_moves.from_lead_id = previous.lead_id
    left join touch_best_rule on touch_best_rule.touch_id = previous.touch_id
    where lead_moves.to_lead_id is not null
       or (previous.match_rule = 'singleton' and touch_best_rule.rule_rank is not null)

),

final as (

    select * from new_assignments
    union all
    select * from updated_assignments

)

select * from final
