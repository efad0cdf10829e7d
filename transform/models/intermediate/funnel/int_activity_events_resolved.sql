{{ config(materialized='table') }}
{#- Sales activity events (latest version of each record) tied to a lead. The person is found by
    lead_ref (a leadsync lead_id, or any source's record id), else by normalised email.
    Events whose person is unknown or whose time is unreadable keep a `rejection_reason` and go to
    marts.quarantine instead of the funnel. -#}
with events as (

    select * from {{ ref('stg_activity_csv__activity_events') }}

),

touches as (

    select touch_id, source_record_id, email from {{ ref('int_lead_touches_normalized') }}

),

identity as (

    select touch_id, lead_id from {{ ref('int_lead_identity') }}

),

latest_versions as (

    {{ latest_version_of('events') }}

),

parsed as (

    select
        md5(source_name || '|' || source_record_id) as activity_id,
        *,
        {{ normalize_email('email') }} as email_normalized,
        {{ clean_text('lead_ref') }} as lead_ref_clean,
        {{ parse_timestamp('occurred_at') }} as occurred_at_parsed
    from latest_versions

),

event_stages as (

    select * from {{ ref('activity_event_stages') }}

),

lead_ids as (

    select distinct lead_id from identity
    where lead_id in (select lead_ref_clean from parsed where lead_ref_clean is not null)

),

-- only the touches an event can point at: the lookups stay small however many leads there are
referenced_touches as (

    select touches.*
    from touches
    where touches.email in (select email_normalized from parsed where email_normalized is not null)
       or touches.source_record_id in (select lead_ref_clean from parsed where lead_ref_clean is not null)

),

by_email as (

    select touches.email, min(identity.lead_id) as lead_id, count(distinct identity.lead_id) as lead_count
    from referenced_touches as touches
    inner join identity on identity.touch_id = touches.touch_id
    where touches.email is not null
    group by touches.email

),

by_record_id as (

    select touches.source_record_id, min(identity.lead_id) as lead_id
    from referenced_touches as touches
    inner join identity on identity.touch_id = touches.touch_id
    group by touches.source_record_id
    having count(distinct identity.lead_id) = 1

),

resolved as (

    select
        parsed.*,
        coalesce(lead_ids.lead_id, by_record_id.lead_id, by_email.lead_id) as lead_id,
        event_stages.stage
    from parsed
    left join event_stages on event_stages.event = parsed.event
    left join lead_ids on lead_ids.lead_id = parsed.lead_ref_clean
    left join by_record_id on by_record_id.source_record_id = parsed.lead_ref_clean
    left join by_email on by_email.email = parsed.email_normalized

),

final as (

    select
        activity_id,
        source_name,
        source_record_id,
        lead_id,
        event,
        event_raw,
        stage,
        occurred_at_parsed as occurred_at,
        {{ clean_text('rep') }} as rep,
        note,
        email,
        lead_ref,
        occurred_at as occurred_at_raw,
        source_location,
        source_line,
        received_at,
        case
            when lead_id is null then 'activity event for an unknown person: no lead with '
                || coalesce('email ' || email_normalized, '')
                || case when email_normalized is not null and lead_ref_clean is not null then ' or ' else '' end
                || coalesce('id ' || lead_ref_clean, '')
                || case when email_normalized is null and lead_ref_clean is null then 'no email or lead id given' else '' end
            when occurred_at_parsed is null then 'activity event time unreadable: ' || coalesce(occurred_at, '(empty)')
            when stage is null
                then 'unknown activity event: ' || coalesce(event_raw, event, '(empty)')
        end as rejection_reason
    from resolved

)

select * from final
