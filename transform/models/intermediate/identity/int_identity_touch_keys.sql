{{
    config(
        materialized='incremental',
        unique_key='touch_id',
        incremental_strategy='delete+insert',
        post_hook="{{ identity_forget_vanished_touches() }}",
    )
}}
{#- The matching keys of every lead record, computed once per touch (incremental: only touches
    not seen before), so a sync of 10k new leads into a 1M-lead warehouse costs 10k rows here.
    After changing the nickname seed, run `dbt build --full-refresh -s int_identity_touch_keys`. -#}

with

touches as (

    select * from {{ ref('int_lead_touches_normalized') }}
    {% if is_incremental() -%}
    where touch_id not in (select touch_id from {{ this }})
    {%- endif %}

),

nicknames as (

    select * from {{ ref('nicknames') }}

),

{#- Company names that say "no company": they would make strangers colleagues. -#}
placeholder_companies as (

    select unnest([
        'none', 'na', 'n a', 'nil', 'null', 'unknown', 'self', 'self employed', 'selfemployed',
        'freelance', 'freelancer', 'independent', 'individual', 'private', 'personal', 'student',
        'retired', 'unemployed', 'home', 'test', 'company', 'my company', 'no company', 'other', 'x'
    ]) as company_name_key

),

keyed as (

    select
        touch_id,
        received_at,
        case when email_is_valid and not is_role_email then email end as email_key,
        case when email_is_valid and not is_role_email then is_free_email end as email_is_free,
        phone_e164 as phone_key,
        {{ identity_name_key('first_name') }} as first_key,
        {{ identity_name_key('last_name') }} as last_key,
        lower(company_domain) as domain_key,
        case
            when company_name_key not in (select company_name_key from placeholder_companies)
                then nullif(trim(lower(company_name_key)), '')
        end as company_key,
        nullif(trim(regexp_replace(lower(strip_accents(city)), '[^a-z]+', ' ', 'g')), '') as city_key,
        nullif(lower(trim(job_title)), '') as title_key
    from touches

),

{#- A name's forms: itself plus every formal name it is a nickname of. -#}
with_forms as (

    select
        keyed.*,
        list_sort(list_distinct(list_prepend(first_key, coalesce(
            (select list(canonical_name) from nicknames where nickname = keyed.first_key), []
        )))) as first_forms,
        list_sort(list_distinct(list_prepend(last_key, coalesce(
            (select list(canonical_name) from nicknames where nickname = keyed.last_key), []
        )))) as last_forms,
        split_part(email_key, '@', 1) as email_local,
        split_part(email_key, '@', 2) as email_domain,
        {{ identity_phonetic_key('first_key') }} as first_sound,
        {{ identity_phonetic_key('last_key') }} as last_sound,
        replace(company_key, ' ', '') as company_token,
        split_part(domain_key, '.', 1) as domain_token
    from keyed

),

{#- Blocking keys: pairs of records are only compared when they share one, so the cost grows
    with the number of records, not its square. Company (its name without spaces, or the first
    label of its domain: "Acme Inc" and acme.com meet as "acme") combined with
    (a) the sorted pair of name initials (catches typos, nicknames through their formal
    form's initial, and first/last transposed) or (b) one exact name part (catches a typo in
    the first letter of the other part). The blocks that need no company (email local part,
    phonetic name + city) are added in int_identity_blocks. -#}
final as (

    select
        with_forms.*,
        {{ identity_now() }} as keyed_at,
        case when first_key is not null and last_key is not null then
            list_sort(list_distinct(flatten(list_transform(
                list_distinct(list_filter([
                    'c:' || replace(company_key, ' ', ''), 'c:' || split_part(domain_key, '.', 1)
                ], lambda c: c is not null)),
                lambda c: list_concat(
                    flatten(list_transform(first_forms, lambda f: list_transform(last_forms, lambda l:
                        c || '|i:' || least(left(f, 1), left(l, 1)) || greatest(left(f, 1), left(l, 1))
                    ))),
                    [c || '|t:' || first_key, c || '|t:' || last_key]
                )
            ))))
        end as block_keys
    from with_forms

)

select * from final
