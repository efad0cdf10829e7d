{{ config(materialized='table') }}
{#- The target-account list, latest version of each record, keyed like leads are matched:
    by web domain, else by company_name_key. Several records for one company collapse. -#}
with target_accounts as (

    select * from {{ ref('stg_target_accounts__target_accounts') }}

),

legal_suffixes as (

    select {{ xdb_list_agg('suffix') }} as suffixes from {{ ref('legal_company_suffixes') }}

),

latest_versions as (

    {{ latest_version_of('target_accounts') }}

),

normalized as (

    select
        coalesce({{ host_from_url('company_domain') }}, {{ host_from_url('website') }}) as company_domain,
        {{ company_name_key(clean_text('company_name'), 'legal_suffixes.suffixes') }} as company_name_key,
        {{ clean_text('company_name') }} as company_name,
        {{ clean_text('account_owner') }} as account_owner,
        {{ clean_text('tier') }} as tier,
        source_name,
        load_id
    from latest_versions
    cross join legal_suffixes

),

keyed as (

    select
        md5(coalesce('domain:' || company_domain, 'name:' || company_name_key)) as account_id,
        *
    from normalized
    where company_domain is not null or company_name_key is not null

),

final as (

    select
        account_id,
        {{ xdb_arg_max('company_name', 'load_id') }} as company_name,
        {{ xdb_arg_max('company_domain', 'load_id') }} as company_domain,
        {{ xdb_arg_max('company_name_key', 'load_id') }} as company_name_key,
        {{ xdb_arg_max('account_owner', 'load_id', where='account_owner is not null') }} as account_owner,
        {{ xdb_arg_max('tier', 'load_id', where='tier is not null') }} as tier,
        {{ xdb_arg_max('source_name', 'load_id') }} as source_name
    from keyed
    group by account_id

)

select * from final
