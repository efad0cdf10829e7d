{{
    config(
        materialized='incremental',
        unique_key='account_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook="delete from {{ this }} where not is_target_account and leads = 0"
    )
}}
{#- One row per company, target or not (contract): leads, MQLs and the furthest stage any of its
    leads reached. Target accounts with no leads yet are listed too (outbound coverage).
    Incremental: recomputes the accounts of the leads dim_leads rewrote since this model's last
    run, every target account (the list is small), and any account whose number of leads no
    longer matches (it lost a lead to another account or to a merge). An account left with no
    leads that is not a target is written as an empty row, which the post-hook removes. -#}
{%- set incremental = lead_incremental() %}
with targets as (

    select * from {{ ref('int_target_accounts') }}

),

lead_accounts as (

    select * from {{ ref('int_lead_accounts') }}

),

leads as (

    select * from {{ ref('dim_leads') }}

),

stages as (

    select * from {{ ref('funnel_stages') }}

),

affected_accounts as (

    {%- if incremental %}
    select account_id from leads where refreshed_at > {{ refresh_watermark() }} and account_id is not null
    union
    select account_id from targets
    union
    select account_id from {{ this }} where is_target_account
    union
    select coalesce(current_counts.account_id, stored.account_id)
    from (select account_id, count(*) as leads from lead_accounts group by account_id) as current_counts
    full outer join (select account_id, leads from {{ this }}) as stored
        on stored.account_id = current_counts.account_id
    where current_counts.leads is distinct from stored.leads
    {%- else %}
    select account_id from targets
    union
    select distinct account_id from lead_accounts
    {%- endif %}

),

lead_rollup as (

    select
        lead_accounts.account_id,
        mode(leads.company_name) as company_name,
        mode(leads.company_domain) as company_domain,
        count(*) as leads,
        count(*) filter (where leads.is_mql) as mqls,
        {{ xdb_arg_max('leads.furthest_stage', 'stages.stage_order') }} as furthest_stage,
        min(leads.first_seen_at) as first_lead_at,
        max(leads.last_seen_at) as last_lead_at
    from lead_accounts
    inner join leads on leads.lead_id = lead_accounts.lead_id
    left join stages on stages.stage = leads.furthest_stage
    {%- if incremental %}
    where lead_accounts.account_id in (select account_id from affected_accounts)
    {%- endif %}
    group by lead_accounts.account_id

),

final as (

    select
        affected_accounts.account_id,
        coalesce(targets.company_name, lead_rollup.company_name) as company_name,
        coalesce(targets.company_domain, lead_rollup.company_domain) as company_domain,
        targets.account_id is not null as is_target_account,
        targets.account_owner,
        targets.tier,
        coalesce(lead_rollup.leads, 0) as leads,
        coalesce(lead_rollup.mqls, 0) as mqls,
        lead_rollup.furthest_stage,
        lead_rollup.first_lead_at,
        lead_rollup.last_lead_at,
        {{ this_run_at() }} as refreshed_at
    from affected_accounts
    left join targets on targets.account_id = affected_accounts.account_id
    left join lead_rollup on lead_rollup.account_id = affected_accounts.account_id

)

select * from final
