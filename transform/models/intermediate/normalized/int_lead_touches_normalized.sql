{#- One row per lead record (latest load wins), normalised. Incremental: only record versions
    from loads newer than the newest one already here are read; a re-sent record replaces its
    older version (delete+insert on touch_id). After changing seeds or identity vars, run with
    --full-refresh so history is re-normalised. -#}
{#- Records a CRM deleted or merged away leave without a full refresh (macros/crm/crm_records.sql). -#}
{{ config(post_hook="{{ crm_apply_tombstones() }}") }}
{#- The staging models of every lead-bearing source type, from ingestion/source_types.py. -#}
{%- set lead_models = var('leadsync_lead_models') -%}
{%- set default_region = var('leadsync_identity')['default_phone_region'] | upper -%}
{%- set extra_disposable = var('leadsync_qualification')['disposable_domains'] or [] -%}
{%- set sources = var('leadsync_sources') or [] -%}

{%- set lead_relations = [] -%}
{%- for model in lead_models %}{% do lead_relations.append(ref(model)) %}{% endfor %}

with

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
    union select {{ sql_string(d | lower) }}
    {%- endfor %}

),

phone_regions as (

    select
        phone_regions.*,
        countries.calling_code
    from {{ ref('phone_regions') }} as phone_regions
    inner join {{ ref('countries') }} as countries on countries.iso2 = phone_regions.iso2

),

-- per-source `default_phone_region` (leadsync.yaml), as data: quoted literals, never SQL text
source_phone_regions as (

    {%- set with_region = sources | selectattr('default_phone_region') | list %}
    {%- if with_region %}
    select * from (values
        {%- for s in with_region %}
        ({{ sql_string(s['name']) }}, upper({{ sql_string(s['default_phone_region']) }})){{ ',' if not loop.last }}
        {%- endfor %}
    ) as configured (source_name, default_phone_region)
    {%- else %}
    select cast(null as varchar) as source_name, cast(null as varchar) as default_phone_region
    where false
    {%- endif %}

),

role_email_prefixes as (

    select * from {{ ref('role_email_prefixes') }}

),

legal_suffixes as (

    select {{ xdb_list_agg('suffix') }} as suffixes from {{ ref('legal_company_suffixes') }}

),

unioned as (

    {%- set new_loads -%}
    load_id > (select coalesce(max(load_id), '') from {{ this }})
    {%- endset %}
    {{ xdb_union_all_by_name(lead_relations, where=new_loads if is_incremental() else none) }}

),

latest_versions as (

    {{ latest_version_of('unioned') }}

),

cleaned as (

    select
        *,
        md5(source_name || '|' || source_record_id) as touch_key,
        {{ normalize_email('email') }} as email_clean,
        {{ clean_text("regexp_replace(regexp_replace(first_name, '^\s*(mr|mrs|ms|miss|mx|dr|prof)\.?\s+', '', 'i'), " ~ xdb_regex("'[^\\pL\\s\\-''.]'") ~ ", '', 'g')") }} as first_name_clean,
        {{ clean_text("regexp_replace(last_name, " ~ xdb_regex("'[^\\pL\\s\\-''.]'") ~ ", '', 'g')") }} as last_name_clean,
        {{ clean_text("regexp_replace(regexp_replace(full_name, '^\s*(mr|mrs|ms|miss|mx|dr|prof)\.?\s+', '', 'i'), " ~ xdb_regex("'[^\\pL\\s\\-'',.]'") ~ ", '', 'g')") }} as full_name_clean,
        {{ clean_text("company_name") }} as company_name_clean,
        {{ clean_text('phone') }} as phone_raw,
        regexp_replace(regexp_replace(trim(phone), '\s*(x|ext\.?|extension|#)\s*\d+\s*$', '', 'i'), '[^0-9+]', '', 'g') as phone_chars,
        lower({{ xdb_strip_accents("trim(country)") }}) as country_lower
    from latest_versions

),

with_country as (

    select
        cleaned.*,
        coalesce(by_iso2.iso2, by_iso3.iso2, by_name.iso2, by_alias.iso2) as country_code_resolved
    from cleaned
    left join countries as by_iso2 on upper(cleaned.country_lower) = by_iso2.iso2
    left join countries as by_iso3 on upper(cleaned.country_lower) = by_iso3.iso3
    left join countries as by_name on cleaned.country_lower = lower({{ xdb_strip_accents("by_name.country_name") }})
    left join country_aliases as by_alias on cleaned.country_lower = by_alias.alias

),

{#- Phone numbers (rules: intermediate/normalized/_normalized.yml, phone_e164). The region a
    national number is read in: the row's own country, else the source's default_phone_region,
    else leadsync_identity.default_phone_region. Validity is libphonenumber's national number
    pattern for that region (seed phone_regions); a number that does not fit is not turned into
    an E.164 number: phone_e164 stays null, phone_raw keeps it as written, phone_issue says why. -#}
with_phone as (

    select
        with_country.*,
        coalesce(
            with_country.country_code_resolved,
            source_phone_regions.default_phone_region,
            upper({{ sql_string(default_region) }})
        ) as phone_region,
        regexp_replace(phone_chars, '[^0-9]', '', 'g') as phone_digits,
        starts_with(phone_chars, '+') or starts_with(regexp_replace(phone_chars, '[^0-9]', '', 'g'), '00')
            as phone_is_international
    from with_country
    left join source_phone_regions on source_phone_regions.source_name = with_country.source_name

),

phone_national as (

    -- a national number: without the region's trunk prefix, as written, or written with the
    -- calling code but no "+"; the first reading that fits the region's pattern wins
    select
        with_phone.touch_key,
        case
            when region.national_prefix <> '' and starts_with(with_phone.phone_digits, region.national_prefix)
                 and {{ xdb_regexp_full_match("substr(with_phone.phone_digits, length(region.national_prefix) + 1)", "region.national_number_pattern") }}
                then region.calling_code || substr(with_phone.phone_digits, length(region.national_prefix) + 1)
            when {{ xdb_regexp_full_match("with_phone.phone_digits", "region.national_number_pattern") }}
                then region.calling_code || with_phone.phone_digits
            when starts_with(with_phone.phone_digits, region.calling_code)
                 and {{ xdb_regexp_full_match("substr(with_phone.phone_digits, length(region.calling_code) + 1)", "region.national_number_pattern") }}
                then with_phone.phone_digits
        end as national_e164_digits,
        region.iso2 is not null as region_known
    from with_phone
    left join phone_regions as region on region.iso2 = with_phone.phone_region
    where not with_phone.phone_is_international and with_phone.phone_digits <> ''

),

phone_international_candidates as (

    -- an international number: valid when the digits after a known calling code fit one of
    -- that code's regions; a calling code leadsync has no region for is judged by length only
    select
        with_phone.touch_key,
        case when starts_with(with_phone.phone_chars, '+') then with_phone.phone_digits
             else substr(with_phone.phone_digits, 3) end as digits
    from with_phone
    where with_phone.phone_is_international

),

phone_international as (

    select
        candidates.touch_key,
        candidates.digits,
        bool_or(region.iso2 is not null) as code_known,
        bool_or(coalesce({{ xdb_regexp_full_match("substr(candidates.digits, length(region.calling_code) + 1)", "region.national_number_pattern") }}, false)) as fits_region
    from phone_international_candidates as candidates
    left join phone_regions as region on starts_with(candidates.digits, region.calling_code)
    group by candidates.touch_key, candidates.digits

),

phone_parsed as (

    select
        with_phone.*,
        case
            when with_phone.phone_digits = '' or with_phone.phone_digits is null then null
            when with_phone.phone_is_international and (intl.fits_region or not intl.code_known) then intl.digits
            when not with_phone.phone_is_international then national.national_e164_digits
        end as phone_international_digits,
        case
            when with_phone.phone_digits = '' or with_phone.phone_digits is null then null
            when with_phone.phone_is_international and intl.code_known and not intl.fits_region
                then 'not a valid phone number for its country calling code'
            when not with_phone.phone_is_international and not national.region_known
                then 'phone region ' || with_phone.phone_region || ' is unknown'
            when not with_phone.phone_is_international and national.national_e164_digits is null
                then 'not a valid phone number for region ' || with_phone.phone_region
        end as phone_region_issue
    from with_phone
    left join phone_national as national on national.touch_key = with_phone.touch_key
    left join phone_international as intl on intl.touch_key = with_phone.touch_key

),

names_split as (

    select
        *,
        case
            when first_name_clean is not null or last_name_clean is not null then first_name_clean
            when {{ xdb_contains("full_name_clean", "','") }} then trim(split_part(full_name_clean, ',', 2))
            else split_part(full_name_clean, ' ', 1)
        end as first_name_part,
        case
            when first_name_clean is not null or last_name_clean is not null then last_name_clean
            when {{ xdb_contains("full_name_clean", "','") }} then trim(split_part(full_name_clean, ',', 1))
            else nullif(trim(substr(full_name_clean, length(split_part(full_name_clean, ' ', 1)) + 1)), '')
        end as last_name_part
    from phone_parsed

),

normalized as (

    select
        touch_key as touch_id,
        source_name,
        source_type,
        coalesce(lead_origin, 'inbound') as lead_origin,
        source_record_id,
        received_at,
        {{ parse_timestamp('submitted_at') }} as submitted_at,

        email_clean as email,
        coalesce({{ xdb_regexp_full_match("email_clean", "'[a-z0-9!#$%&''*+/=?^_`{|}~-]+(\\.[a-z0-9!#$%&''*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\\.)+[a-z]{2,}'") }}, false) as email_is_valid,
        nullif(split_part(email_clean, '@', 2), '') as email_domain,
        split_part(split_part(email_clean, '@', 1), '+', 1) as email_local_part,

        case
            when phone_international_digits is null then null
            when not {{ xdb_regexp_full_match("phone_international_digits", "'[1-9]\\d{7,14}'") }} then null
            when {{ phone_is_placeholder('phone_international_digits') }} then null
            else '+' || phone_international_digits
        end as phone_e164,
        phone_raw,
        phone_region,
        case
            when phone_region_issue is not null then phone_region_issue
            when phone_international_digits is null then null
            when not {{ xdb_regexp_full_match("phone_international_digits", "'[1-9]\\d{7,14}'") }}
                then 'not a phone number: E.164 allows 8 to 15 digits'
            when {{ phone_is_placeholder('phone_international_digits') }} then 'placeholder phone number'
        end as phone_issue,

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
            when {{ xdb_regexp_full_match("lower(trim(consent))", "'yes|y|true|t|1|on|opt(ed)?[ -]?in|subscribed|granted|agreed?|accepted?|checked'") }}
                then true
            when {{ xdb_regexp_full_match("lower(trim(consent))", "'no|n|false|f|0|off|opt(ed)?[ -]?out|unsubscribed|denied|declined|withdrawn|unchecked'") }}
                then false
        end as has_consent,
        coalesce({{ xdb_regexp_full_match("lower(trim(consent))", "'opt(ed)?[ -]?out|unsubscribed|withdrawn'") }}, false) as is_unsubscribed,
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
        phone_raw,
        phone_region,
        phone_issue,
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
