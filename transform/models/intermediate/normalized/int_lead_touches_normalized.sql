{{
    config(
        materialized='incremental',
        unique_key='touch_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}
{#- One row per lead record (latest load wins), normalised. Incremental: only record versions
    from loads newer than the newest one already here are read; a re-sent record replaces its
    older version (delete+insert on touch_id). After changing seeds or identity vars, run with
    --full-refresh so history is re-normalised. -#}
{#- The staging models of every lead-bearing source type, from ingestion/source_types.py. -#}
{%- set lead_models = var('leadsync_lead_models') -%}
{%- set default_region = var('leadsync_identity')['default_phone_region'] | upper -%}
{%- set extra_disposable = var('leadsync_qualification')['disposable_domains'] or [] -%}

with
{% for model in lead_models %}
{{ model }} as (

    select * from {{ ref(model) }}

),
{% endfor %}

countries as (

    select * from {{ ref('countries') }}

),

country_aliases as (

    select * from {{ ref('country_aliases') }}

),

free_email_domains as (

    select * from {{ ref('free_email_domains') }}

),

disposable_email_domains as (

    select domain from {{ ref('disposable_email_domains') }}
    {%- for d in extra_disposable %}
    union select {{ dbt.string_literal(d | lower) }}
    {%- endfor %}

),

role_email_prefixes as (

    select * from {{ ref('role_email_prefixes') }}

),

legal_suffixes as (

    select list(suffix) as suffixes from {{ ref('legal_company_suffixes') }}

),

unioned as (

    {% for model in lead_models -%}
    select * from {{ model }}
    {% if is_incremental() -%}
    where load_id > (select coalesce(max(load_id), '') from {{ this }})
    {%- endif %}
    {{ 'union all by name' if not loop.last }}
    {% endfor %}

),

latest_versions as (

    select * from unioned
    {{ latest_version() }}

),

cleaned as (

    select
        *,
        nullif(regexp_replace(lower(trim(email)), '^mailto:|[<>\s]', '', 'g'), '') as email_clean,
        {{ clean_text("regexp_replace(regexp_replace(first_name, '^\s*(mr|mrs|ms|miss|mx|dr|prof)\.?\s+', '', 'i'), '[^\pL\s\-''.]', '', 'g')") }} as first_name_clean,
        {{ clean_text("regexp_replace(last_name, '[^\pL\s\-''.]', '', 'g')") }} as last_name_clean,
        {{ clean_text("regexp_replace(regexp_replace(full_name, '^\s*(mr|mrs|ms|miss|mx|dr|prof)\.?\s+', '', 'i'), '[^\pL\s\-'',.]', '', 'g')") }} as full_name_clean,
        {{ clean_text("company_name") }} as company_name_clean,
        regexp_replace(regexp_replace(trim(phone), '\s*(x|ext\.?|extension|#)\s*\d+\s*$', '', 'i'), '[^0-9+]', '', 'g') as phone_chars,
        lower(strip_accents(trim(country))) as country_lower
    from latest_versions

),

with_country as (

    select
        cleaned.*,
        coalesce(by_iso2.iso2, by_iso3.iso2, by_name.iso2, by_alias.iso2) as country_code_resolved
    from cleaned
    left join countries as by_iso2 on upper(cleaned.country_lower) = by_iso2.iso2
    left join countries as by_iso3 on upper(cleaned.country_lower) = by_iso3.iso3
    left join countries as by_name on cleaned.country_lower = lower(strip_accents(by_name.country_name))
    left join country_aliases as by_alias on cleaned.country_lower = by_alias.alias

),

with_phone as (

    select
        with_country.*,
        region.calling_code::varchar as region_calling_code,
        regexp_replace(phone_chars, '[^0-9]', '', 'g') as phone_digits
    from with_country
    left join countries as region
        on region.iso2 = coalesce(with_country.country_code_resolved, '{{ default_region }}')

),

phone_international as (

    select
        *,
        case
            when phone_digits = '' or phone_digits is null then null
            when starts_with(phone_chars, '+') then phone_digits
            when starts_with(phone_digits, '00') then substr(phone_digits, 3)
            when region_calling_code = '1' and length(phone_digits) = 11 and starts_with(phone_digits, '1')
                then phone_digits
            when region_calling_code = '1' and length(phone_digits) = 10 then '1' || phone_digits
            when starts_with(phone_digits, '0') then region_calling_code || substr(phone_digits, 2)
            when starts_with(phone_digits, region_calling_code) and length(phone_digits) >= length(region_calling_code) + 9
                then phone_digits
            else region_calling_code || phone_digits
        end as phone_international_digits
    from with_phone

),

names_split as (

    select
        *,
        case
            when first_name_clean is not null or last_name_clean is not null then first_name_clean
            when contains(full_name_clean, ',') then trim(split_part(full_name_clean, ',', 2))
            else split_part(full_name_clean, ' ', 1)
        end as first_name_part,
        case
            when first_name_clean is not null or last_name_clean is not null then last_name_clean
            when contains(full_name_clean, ',') then trim(split_part(full_name_clean, ',', 1))
            else nullif(trim(substr(full_name_clean, length(split_part(full_name_clean, ' ', 1)) + 1)), '')
        end as last_name_part
    from phone_international

),

normalized as (

    select
        md5(source_name || '|' || source_record_id) as touch_id,
        source_name,
        source_type,
        coalesce(lead_origin, 'inbound') as lead_origin,
        source_record_id,
        received_at,
        {{ parse_timestamp('submitted_at') }} as submitted_at,

        email_clean as email,
        coalesce(regexp_full_match(
            email_clean, '[a-z0-9!#$%&''*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&''*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}'
        ), false) as email_is_valid,
        nullif(split_part(email_clean, '@', 2), '') as email_domain,
        split_part(split_part(email_clean, '@', 1), '+', 1) as email_local_part,

        case
            when phone_international_digits is null then null
            when not regexp_full_match(phone_international_digits, '[1-9]\d{7,14}') then null
            when starts_with(phone_international_digits, '1')
                 and not regexp_full_match(phone_international_digits, '1[2-9]\d{2}[2-9]\d{6}') then null
            -- one digit repeated ("0000000000", "5555555555") is a placeholder, not a number
            when length(replace(substr(phone_international_digits, 2), right(phone_international_digits, 1), '')) = 0
                then null
            else '+' || phone_international_digits
        end as phone_e164,

        {{ title_case('nullif(first_name_part, \'\')') }} as first_name,
        {{ title_case('nullif(last_name_part, \'\')') }} as last_name,
        company_name_clean as company_name,
        {{ company_name_key('company_name_clean', 'legal_suffixes.suffixes') }} as company_name_key,
        coalesce({{ host_from_url('company_domain') }}, {{ host_from_url('website') }}) as declared_company_domain,
        {{ clean_text('job_title') }} as job_title,
        country_code_resolved as country_code,
        {{ clean_text('city') }} as city,
        {{ clean_text('state') }} as state,
        {{ clean_text('industry') }} as industry,
        cast(round({{ parse_band('employee_count') }}) as integer) as employee_count,
        cast({{ parse_band('annual_revenue') }} as decimal(18, 2)) as annual_revenue,
        case
            when regexp_full_match(lower(trim(consent)), 'yes|y|true|t|1|on|opt(ed)?[ -]?in|subscribed|granted|agreed?|accepted?|checked')
                then true
            when regexp_full_match(lower(trim(consent)), 'no|n|false|f|0|off|opt(ed)?[ -]?out|unsubscribed|denied|declined|withdrawn|unchecked')
                then false
        end as has_consent,
        coalesce(regexp_full_match(lower(trim(consent)), 'opt(ed)?[ -]?out|unsubscribed|withdrawn'), false) as is_unsubscribed,
        {{ clean_text('channel') }} as channel,
        {{ clean_text('utm_source') }} as utm_source,
        {{ clean_text('utm_medium') }} as utm_medium,
        {{ clean_text('utm_campaign') }} as utm_campaign,
        {{ clean_text('campaign_id') }} as campaign_id,
        {{ clean_text('campaign_name') }} as campaign_name,
        {{ clean_text('ad_group_id') }} as ad_group_id,
        {{ clean_text('ad_id') }} as ad_id,
        {{ clean_text('form_id') }} as form_id,
        {{ clean_text('need') }} as need,
        {{ clean_text('lead_status') }} as lead_status,
        coalesce(is_test, false) as is_test,
        custom_fields,
        source_location,
        source_line,
        load_id
    from names_split
    cross join legal_suffixes

),

flagged as (

    select
        normalized.*,
        normalized.email_local_part in (select prefix from role_email_prefixes) as is_role_email,
        normalized.email_domain in (select domain from free_email_domains) as is_free_email,
        normalized.email_domain in (select domain from disposable_email_domains) as is_disposable_email
    from normalized

),

final as (

    select
        touch_id,
        source_name,
        source_type,
        lead_origin,
        source_record_id,
        received_at,
        submitted_at,
        coalesce(submitted_at, timezone('UTC', received_at)) as touched_at,
        email,
        email_is_valid,
        email_domain,
        coalesce(is_role_email, false) as is_role_email,
        coalesce(is_free_email, false) as is_free_email,
        coalesce(is_disposable_email, false) as is_disposable_email,
        phone_e164,
        first_name,
        last_name,
        nullif(concat_ws(' ', first_name, last_name), '') as full_name,
        company_name,
        company_name_key,
        coalesce(
            declared_company_domain,
            case when email_is_valid and not coalesce(is_free_email, false)
                      and not coalesce(is_disposable_email, false) then email_domain end
        ) as company_domain,
        job_title,
        country_code,
        city,
        state,
        industry,
        employee_count,
        annual_revenue,
        has_consent,
        is_unsubscribed or coalesce(has_consent = false, false) as is_unsubscribed,
        channel,
        utm_source,
        utm_medium,
        utm_campaign,
        campaign_id,
        campaign_name,
        ad_group_id,
        ad_id,
        form_id,
        need,
        lead_status,
        is_test,
        custom_fields,
        source_location,
        source_line,
        load_id
    from flagged

)

select * from final
