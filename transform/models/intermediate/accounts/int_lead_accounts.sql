{{ config(post_hook="{{ delete_vanished_leads('account_id is null') }}") }}
{#- Each lead's company: the target account it matches (same domain first, else same
    company_name_key), otherwise a company of its own keyed by domain, else by name key.
    Leads with neither have no account.
    Incremental: only leads int_leads_golden recomputed since this model's last run, or every
    lead when the target-account list changed (targets_fingerprint). A recomputed lead that no
    longer has a company is written as a row without account_id, which the post-hook removes
    (with leads that no longer exist). -#}
{%- set incremental = lead_incremental(['refreshed_at', 'targets_fingerprint']) -%}
with targets as (

    select * from {{ ref('int_target_accounts') }}

),

targets_fingerprint as (

    -- what matching depends on; any change re-matches every lead
    select md5(coalesce(string_agg(
        account_id || '|' || coalesce(company_domain, '') || '|' || coalesce(company_name_key, ''),
        ',' order by account_id), '')) as fingerprint
    from targets

),

leads as (

    select lead_id, company_name, company_domain, company_name_key
    from {{ ref('int_leads_golden') }}
    {%- if incremental %}
    where refreshed_at > {{ refresh_watermark() }}
       or (select fingerprint from targets_fingerprint)
          is distinct from (select max(targets_fingerprint) from {{ this }})
    {%- endif %}

),

by_domain as (

    select leads.lead_id, min(targets.account_id) as account_id
    from leads
    inner join targets on targets.company_domain = leads.company_domain
    group by leads.lead_id

),

by_name as (

    select leads.lead_id, min(targets.account_id) as account_id
    from leads
    inner join targets on targets.company_name_key = leads.company_name_key
    group by leads.lead_id

),

final as (

    select
        leads.lead_id,
        case when leads.company_domain is not null or leads.company_name_key is not null
                  or by_domain.account_id is not null or by_name.account_id is not null
        then coalesce(
            by_domain.account_id,
            by_name.account_id,
            md5(coalesce('domain:' || leads.company_domain, 'name:' || leads.company_name_key))
        ) end as account_id,
        coalesce(by_domain.account_id, by_name.account_id) is not null as is_target_account,
        case when by_domain.account_id is not null then 'domain'
             when by_name.account_id is not null then 'company_name' end as target_match_rule,
        (select fingerprint from targets_fingerprint) as targets_fingerprint,
        {{ this_run_at() }} as refreshed_at
    from leads
    left join by_domain on by_domain.lead_id = leads.lead_id
    left join by_name on by_name.lead_id = leads.lead_id

)

select * from final
{%- if not incremental %}
where account_id is not null
{%- endif %}
