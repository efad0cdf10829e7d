{{
    config(
        materialized='incremental',
        unique_key='touch_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook="delete from {{ this }} where touch_id not in (select touch_id from {{ ref('int_lead_touches_normalized') }})"
    )
}}
{#- One row per record received from any source (contract). A touch is valid when it carries a
    usable contact channel and is not a platform test; `is_new_lead` marks the touch that
    created its lead (the first one), the rest are duplicates of a lead we already had. A
    platform test submission is never a new lead, so source figures count only real leads.
    Incremental: only the touches of leads int_leads_golden recomputed since the last run are
    rewritten (a merge or a new touch can change which touch is first); erased touches are
    deleted by the post-hook. A table from before a column was added is rewritten in full once. -#}
{%- set incremental = lead_incremental(['lead_refreshed_at', 'ad_group_id', 'loaded_at', 'is_test', 'phone_issue']) %}
with touches as (

    select * from {{ ref('int_lead_touches_normalized') }}

),

identity as (

    select touch_id, lead_id from {{ ref('int_lead_identity') }}

),

leads as (

    select lead_id, first_touch_id, refreshed_at from {{ ref('int_leads_golden') }}
    {%- if incremental %}
    where refreshed_at > (select coalesce(max(lead_refreshed_at), '-infinity'::timestamptz) from {{ this }})
    {%- endif %}

),

checked as (

    select
        touches.*,
        identity.lead_id,
        case
            when touches.is_test then 'platform test lead'
            when touches.email is not null and not touches.email_is_valid and touches.phone_e164 is null
                then 'invalid email and no phone'
            when touches.email is null and touches.phone_e164 is null then 'no email or phone'
            when touches.is_disposable_email and touches.phone_e164 is null then 'disposable email and no phone'
        end as invalid_reason,
        touches.touch_id = leads.first_touch_id as is_first_touch,
        leads.refreshed_at as lead_refreshed_at
    from touches
    inner join identity on identity.touch_id = touches.touch_id
    inner join leads on leads.lead_id = identity.lead_id

),

final as (

    select
        touch_id,
        lead_id,
        source_name,
        source_type,
        source_record_id,
        lead_origin,
        received_at,
        submitted_at,
        touched_at,
        channel,
        coalesce(campaign_name, utm_campaign, campaign_id) as campaign,
        campaign_id,
        ad_group_id,
        utm_source,
        utm_medium,
        utm_campaign,
        form_id,
        ad_id,
        email,
        phone_e164,
        phone_raw,
        phone_issue,
        invalid_reason is null as is_valid,
        invalid_reason,
        coalesce(is_test, false) as is_test,
        is_first_touch and not coalesce(is_test, false) as is_new_lead,
        not is_first_touch as is_duplicate,
        lead_refreshed_at,
        -- dlt load ids are the load's unix start time
        to_timestamp({{ xdb_try_cast('load_id', 'double') }}) as loaded_at
    from checked

)

select * from final
