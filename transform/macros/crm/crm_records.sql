{#- The CRM records a platform deleted or merged away, from a CRM's staging events: one row per
    person record, with the load that delivered its newest deletion / merge. -#}
{% macro crm_gone_records(events_relation) -%}
    select
        source_name,
        person_record_id,
        max(load_id) as gone_load_id,
        max(occurred_at) as gone_at,
        max(case when event_kind = 'merged' then related_record_id end) as survivor_record_id
    from {{ events_relation }}
    where event_kind in ('deleted', 'merged') and person_record_id is not null
    group by source_name, person_record_id
{%- endmacro %}

{#- A CRM staging model of people: every loaded version, except versions loaded before the
    record was deleted or merged away (a version loaded after the deletion, a restore, stays). -#}
{% macro crm_live_people(people_relation, events_relation) -%}
with people as (

    {{ staged(people_relation) }}

),

gone as (

    {{ crm_gone_records(events_relation) }}

),

final as (

    select people.*
    from people
    left join gone
        on gone.source_name = people.source_name and gone.person_record_id = people.source_record_id
    where gone.gone_load_id is null or people.load_id > gone.gone_load_id

)

select * from final
{%- endmacro %}

{#- Tombstones: the records whose newest word from the CRM is a deletion or a merge (no version
    loaded after it), keyed like int_lead_touches_normalized (touch_id). Applied to the
    incremental touch table by crm_apply_tombstones(), so a deletion needs no --full-refresh. -#}
{% macro crm_tombstones(people_relation, events_relation) -%}
with people as (

    {{ staged(people_relation) }}

),

latest_versions as (

    select source_name, source_record_id, max(load_id) as last_load_id
    from people
    group by source_name, source_record_id

),

gone as (

    {{ crm_gone_records(events_relation) }}

),

final as (

    select
        md5(gone.source_name || '|' || gone.person_record_id) as touch_id,
        gone.source_name,
        gone.person_record_id as source_record_id,
        case when gone.survivor_record_id is not null then 'merged' else 'deleted' end as tombstone_reason,
        gone.survivor_record_id,
        gone.gone_at,
        gone.gone_load_id as load_id
    from gone
    left join latest_versions
        on latest_versions.source_name = gone.source_name
        and latest_versions.source_record_id = gone.person_record_id
    where latest_versions.last_load_id is null or latest_versions.last_load_id <= gone.gone_load_id

)

select * from final
{%- endmacro %}

{#- Post-hook of int_lead_touches_normalized: touches whose CRM record is tombstoned leave the
    incremental table (identity, golden record and marts follow through their own vanished-touch
    hooks). Renders empty when no source type declares a tombstone model. -#}
{% macro crm_apply_tombstones() -%}
    {%- set models = var('leadsync_tombstone_models', []) -%}
    {%- if models | length == 0 -%}{{ return('') }}{%- endif -%}
    delete from {{ this }}
    where touch_id in (
        {%- for m in models %}
        select touch_id from {{ ref(m) }}{{ ' union all' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
