{#- Every piece of CRM evidence (HubSpot, Salesforce) that maps to a funnel stage, with the lead
    it belongs to, or the reason it belongs to none (int_crm_evidence_rejects quarantines those;
    int_crm_stage_events hands the others to the funnel).
    - Each piece of evidence counts once (latest version of its stable id), so repeated and
      out-of-order deliveries give the same rows; the funnel keeps the earliest time per stage.
    - A deleted object's evidence leaves; a merged record's evidence follows its survivor.
    - A Salesforce lead's initial status is the OldValue of its first Status change (or its
      status when it has none); evidence on a converted lead's contact belongs to the lead.
    - Opportunity evidence reaches people through contact roles (OpportunityContactRole) and
      HubSpot deal associations (person_record_id, one row per associated contact).
    - Values map to stages through the seed crm_stage_map, overridden and extended per source by
      its `stage_map:` config (var leadsync_crm_stage_map, read as quoted literals). -#}
{%- set configured = var('leadsync_crm_stage_map', []) -%}

with events as (

    select 'hubspot' as crm, events_hs.* from {{ ref('stg_hubspot__events') }} as events_hs
    union all
    select 'salesforce' as crm, events_sf.* from {{ ref('stg_salesforce__events') }} as events_sf

),

latest as (

    {{ latest_version_of('events') }}

),

deleted_objects as (

    select distinct source_name, object_type, object_id from latest where event_kind = 'deleted'

),

merges as (

    select source_name, object_id as merged_id, max(related_record_id) as survivor_id
    from latest where event_kind = 'merged'
    group by source_name, object_id

),

converted as (

    select source_name, related_record_id as contact_id, max(person_record_id) as lead_record_id
    from latest where event_kind = 'converted'
    group by source_name, related_record_id

),

opportunity_people as (

    select source_name, related_record_id as opportunity_id, person_record_id
    from latest
    where event_kind = 'association'
      and not exists (select 1 from deleted_objects as d where d.source_name = latest.source_name
                      and d.object_type = latest.object_type and d.object_id = latest.object_id)

),

status_changes as (

    select
        source_name,
        person_record_id,
        {{ xdb_json_key_text('custom_fields', 'OldValue') }} as old_value,
        row_number() over (partition by source_name, person_record_id order by occurred_at, source_record_id) as change_order
    from latest
    where object_type = 'LeadHistory'

),

first_status_change as (

    select source_name, person_record_id, old_value as initial_value
    from status_changes
    where change_order = 1

),

alive as (

    select latest.*
    from latest
    where event_kind in ('status', 'created', 'activity')
      and not exists (select 1 from deleted_objects as d where d.source_name = latest.source_name
                      and d.object_type = latest.object_type and d.object_id = latest.object_id)

),

with_people as (

    select alive.*, coalesce(alive.person_record_id, opportunity_people.person_record_id) as person_id,
           case when alive.event_kind = 'created' and alive.object_type = 'Lead'
                then coalesce(first_status_change.initial_value, alive.value) else alive.value end as stage_value
    from alive
    left join opportunity_people
        on alive.person_record_id is null and opportunity_people.source_name = alive.source_name
        and opportunity_people.opportunity_id = alive.object_id
    left join first_status_change
        on alive.object_type = 'Lead' and first_status_change.source_name = alive.source_name
        and first_status_change.person_record_id = alive.object_id

),

people_resolved as (

    select with_people.*,
           coalesce(converted.lead_record_id, merges.survivor_id, with_people.person_id) as person_key
    from with_people
    left join merges on merges.source_name = with_people.source_name and merges.merged_id = with_people.person_id
    left join converted on converted.source_name = with_people.source_name
        and converted.contact_id = with_people.person_id

),

configured_stage_map as (

    {%- if configured %}
    select * from (values
        {%- for m in configured %}
        ({{ sql_string(m['source_name']) }}, {{ sql_string(m['crm']) }}, {{ sql_string(m['field']) }},
         {{ sql_string(m['value']) }}, {{ sql_string(m['stage']) }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as configured (source_name, crm, field, value, stage)
    {%- else %}
    select
        cast(null as varchar) as source_name, cast(null as varchar) as crm, cast(null as varchar) as field,
        cast(null as varchar) as value, cast(null as varchar) as stage
    where false
    {%- endif %}

),

source_crms as (

    select distinct source_name, crm from latest

),

-- per source: its configured entries, then the seed's entries it does not override
stage_map as (

    select source_name, crm, field, value, stage from configured_stage_map
    union all
    select source_crms.source_name, seed.crm, seed.field, seed.value, seed.stage
    from {{ ref('crm_stage_map') }} as seed
    inner join source_crms on source_crms.crm = seed.crm
    where not exists (
        select 1 from configured_stage_map as c
        where c.source_name = source_crms.source_name and c.field = seed.field and c.value = seed.value
    )

),

mapped as (

    select people_resolved.*,
           case
               when exact.stage is not null then exact.stage
               when people_resolved.field = 'dealstage'
                    and {{ xdb_json_key_text('people_resolved.custom_fields', 'is_closed') }} = 'true'
                   then case when {{ xdb_try_cast(xdb_json_key_text('people_resolved.custom_fields', 'probability'), 'double') }} >= 1
                             then 'won' else 'lost' end
               else any_value_map.stage
           end as stage
    from people_resolved
    left join stage_map as exact
        on exact.source_name = people_resolved.source_name and exact.field = people_resolved.field
        and exact.value = people_resolved.stage_value
    left join stage_map as any_value_map
        on any_value_map.source_name = people_resolved.source_name
        and any_value_map.field = people_resolved.field and any_value_map.value = '*'

),

touches as (

    select touch_id, source_name, source_record_id from {{ ref('int_lead_touches_normalized') }}

),

identity as (

    select touch_id, lead_id from {{ ref('int_lead_identity') }}

),

person_leads as (

    select touches.source_name, touches.source_record_id, min(identity.lead_id) as lead_id
    from touches
    inner join identity on identity.touch_id = touches.touch_id
    where touches.source_name in (select distinct source_name from mapped)
    group by touches.source_name, touches.source_record_id

),

final as (

    select
        person_leads.lead_id,
        mapped.crm,
        mapped.source_name,
        mapped.source_record_id,
        mapped.object_type,
        mapped.object_id,
        mapped.person_key as person_record_id,
        mapped.field,
        mapped.stage_value,
        mapped.stage,
        mapped.occurred_at,
        mapped.custom_fields,
        mapped.source_location,
        mapped.received_at,
        case
            when mapped.person_key is null
                then 'no person: the ' || mapped.crm || ' ' || mapped.object_type || ' is linked to no contact or lead'
            when person_leads.lead_id is null
                then 'person ' || mapped.person_key || ' is no touch leadsync knows (not loaded, or quarantined when loaded)'
        end as rejection_reason
    from mapped
    left join person_leads
        on person_leads.source_name = mapped.source_name and person_leads.source_record_id = mapped.person_key
    where mapped.stage is not null and mapped.occurred_at is not null
      -- evidence about a person the CRM deleted leaves with them (a deal of a deleted contact)
      and not exists (select 1 from deleted_objects as d where d.source_name = mapped.source_name
                      and d.object_type in ('contact', 'Lead', 'Contact') and d.object_id = mapped.person_key)

)

select * from final
