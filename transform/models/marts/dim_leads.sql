{{
    config(
        materialized='incremental',
        unique_key='lead_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook="{{ delete_vanished_leads() }}"
    )
}}
{#- One row per resolved person (contract): the golden record, its qualification and where it
    stands in the funnel. `*_source_name` columns say which source each key field came from.
    Incremental: only the leads whose golden record, qualification or funnel status was
    recomputed since this model's last run. -#}
{%- set incremental = lead_incremental() %}
with leads as (

    select * from {{ ref('int_leads_golden') }}
    {%- if incremental %}
    where refreshed_at > {{ refresh_watermark() }}
       or lead_id in ({{ refreshed_since(ref('int_leads_qualified')) }})
       or lead_id in ({{ refreshed_since(ref('int_lead_funnel_status')) }})
    {%- endif %}

),

qualified as (

    select * from {{ ref('int_leads_qualified') }}

),

funnel_status as (

    select * from {{ ref('int_lead_funnel_status') }}

),

final as (

    select
        leads.lead_id,
        leads.email,
        leads.phone_e164,
        leads.first_name,
        leads.last_name,
        nullif(concat_ws(' ', leads.first_name, leads.last_name), '') as full_name,
        leads.company_name,
        leads.company_domain,
        leads.job_title,
        leads.country_code,
        leads.city,
        leads.state,
        leads.industry,
        leads.employee_count,
        leads.annual_revenue,
        leads.lead_origin,
        leads.first_source_name,
        leads.first_campaign,
        leads.last_source_name,
        leads.last_campaign,
        leads.first_seen_at,
        leads.last_seen_at,
        leads.touch_count,
        qualified.icp_score,
        qualified.lead_grade,
        qualified.is_mql,
        qualified.disqualification_reason,
        qualified.qualification_reasons,
        qualified.title_seniority,
        qualified.account_id,
        qualified.is_target_account,
        coalesce(funnel_status.current_stage, 'new') as current_stage,
        coalesce(funnel_status.furthest_stage, 'new') as furthest_stage,
        funnel_status.first_contacted_at,
        funnel_status.hours_to_first_contact,
        coalesce(funnel_status.contact_attempts, 0) as contact_attempts,
        coalesce(funnel_status.stages_reached, ['new']) as stages_reached,
        leads.email_is_valid,
        leads.is_role_email,
        leads.is_free_email,
        leads.has_consent,
        leads.is_unsubscribed,
        leads.email_source_name,
        leads.phone_e164_source_name,
        leads.company_name_source_name,
        leads.company_domain_source_name,
        leads.job_title_source_name,
        leads.country_code_source_name,
        {{ this_run_at() }} as refreshed_at
    from leads
    inner join qualified on qualified.lead_id = leads.lead_id
    left join funnel_status on funnel_status.lead_id = leads.lead_id

)

select * from final
