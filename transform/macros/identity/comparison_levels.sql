{#- The fields a pair of records is compared on, and their agreement levels (Fellegi-Sunter
    "gamma" values), weakest first: level 0 is disagreement, a missing value on either side is
    null (no evidence either way). The EM model (int_identity_match_weights) estimates one m and
    one u probability per field and level; `tf` marks the fields whose top level is adjusted by
    how common the agreeing value is (a shared "Smith" is weaker evidence than a shared "Okafor").
    The labels name the levels in marts.lead_links.agreed_fields. -#}
{% macro identity_comparisons() -%}
    {{ return([
        {'field': 'email', 'levels': ['different', 'same company domain', 'typo', 'exact'], 'tf': false},
        {'field': 'first_name', 'levels': ['different', 'initial', 'phonetic', 'fuzzy', 'exact or nickname'], 'tf': true},
        {'field': 'last_name', 'levels': ['different', 'initial', 'phonetic', 'fuzzy', 'exact'], 'tf': true},
        {'field': 'company', 'levels': ['different', 'similar', 'same'], 'tf': false},
        {'field': 'phone', 'levels': ['different', 'same direct line'], 'tf': false},
        {'field': 'city', 'levels': ['different', 'similar', 'same'], 'tf': true},
        {'field': 'job_title', 'levels': ['different', 'same'], 'tf': false},
    ]) }}
{%- endmacro %}

{#- The agreement level of two name parts, each given as (alias, part): the columns
    <part>_key, <part>_forms (nickname forms) and <part>_sound (phonetic key). -#}
{% macro identity_name_level(x, x_part, y, y_part) -%}
    {%- set threshold = identity_settings()['name_similarity'] -%}
    {%- set xk = x ~ '.' ~ x_part ~ '_key' -%}
    {%- set yk = y ~ '.' ~ y_part ~ '_key' -%}
    case
        when {{ xk }} is null or {{ yk }} is null then null
        when {{ xk }} = {{ yk }}
             or {{ identity_lists_overlap(x ~ '.' ~ x_part ~ '_forms', y ~ '.' ~ y_part ~ '_forms') }} then 4
        when length({{ xk }}) > 1 and length({{ yk }}) > 1
             and ({{ identity_jaro_winkler(xk, yk) }} >= {{ threshold }}
                  or (least(length({{ xk }}), length({{ yk }})) >= 5 and {{ identity_edit_distance(xk, yk) }} <= 1))
            then 3
        when length({{ xk }}) > 1 and length({{ yk }}) > 1
             and {{ x }}.{{ x_part }}_sound = {{ y }}.{{ y_part }}_sound then 2
        when (length({{ xk }}) = 1 or length({{ yk }}) = 1) and left({{ xk }}, 1) = left({{ yk }}, 1) then 1
        else 0
    end
{%- endmacro %}

{#- Every pair of `pairs` (columns a_touch_id, b_touch_id, and any others, passed through)
    with its agreement level per field (gamma_<field>), the values that agreed (for the
    term-frequency adjustment) and `phone_equal` (the raw phone agreement the phone_and_name
    rule needs). Names are compared in the order that agrees best, so "Garcia Maria" meets
    "Maria Garcia" (names_swapped). A phone shared by people of different surnames (a
    switchboard) is no evidence: its level is null. -#}
{% macro identity_compared_pairs(pairs) -%}
    {%- set keys = ref('int_identity_touch_keys') -%}
    (
        select
            sides.*,
            case when names_swapped then first_last else first_first end as gamma_first_name,
            case when names_swapped then last_first else last_last end as gamma_last_name
        from (
            select
                parts.*,
                coalesce(first_last, 0) + coalesce(last_first, 0)
                    > coalesce(first_first, 0) + coalesce(last_last, 0) as names_swapped
            from (
                select
                    pairs.*,
                    {{ identity_name_level('a', 'first', 'b', 'first') }} as first_first,
                    {{ identity_name_level('a', 'last', 'b', 'last') }} as last_last,
                    {{ identity_name_level('a', 'first', 'b', 'last') }} as first_last,
                    {{ identity_name_level('a', 'last', 'b', 'first') }} as last_first,
                    case
                        when a.email_key is null or b.email_key is null then null
                        when a.email_key = b.email_key then 3
                        {#- colleagues numbered by the mail admin (jsmith, jsmith2) are not a typo -#}
                        when regexp_replace(a.email_local, '[0-9]', '', 'g')
                             = regexp_replace(b.email_local, '[0-9]', '', 'g')
                             and a.email_domain = b.email_domain then 1
                        when (a.email_local = b.email_local and length(a.email_local) >= 4
                              and {{ identity_edit_distance('a.email_domain', 'b.email_domain') }} <= 2)
                          or (a.email_domain = b.email_domain
                              and least(length(a.email_local), length(b.email_local)) >= 5
                              and {{ identity_edit_distance('a.email_local', 'b.email_local') }} <= 1) then 2
                        when a.email_domain = b.email_domain and not a.email_is_free then 1
                        else 0
                    end as gamma_email,
                    case
                        when coalesce(a.company_token, a.domain_token) is null
                          or coalesce(b.company_token, b.domain_token) is null then null
                        when a.company_token = b.company_token or a.domain_token = b.domain_token
                          or a.company_token = b.domain_token or a.domain_token = b.company_token then 2
                        when {{ identity_jaro_winkler('a.company_key', 'b.company_key') }} >= 0.9 then 1
                        else 0
                    end as gamma_company,
                    case
                        when a.phone_key is null or b.phone_key is null then null
                        when a.phone_key <> b.phone_key then 0
                        when a.phone_key in (select phone_key from {{ ref('int_identity_shared_phones') }}) then null
                        else 1
                    end as gamma_phone,
                    case
                        when a.city_key is null or b.city_key is null then null
                        when a.city_key = b.city_key then 2
                        when {{ identity_jaro_winkler('a.city_key', 'b.city_key') }} >= 0.9
                          or (least(length(a.city_key), length(b.city_key)) >= 5
                              and {{ identity_edit_distance('a.city_key', 'b.city_key') }} <= 1) then 1
                        else 0
                    end as gamma_city,
                    case
                        when a.title_key is null or b.title_key is null then null
                        when a.title_key = b.title_key then 1
                        else 0
                    end as gamma_job_title,
                    coalesce(a.phone_key = b.phone_key, false) as phone_equal,
                    a.first_key as first_name_value,
                    a.last_key as last_name_value,
                    a.city_key as city_value
                from {{ pairs }} as pairs
                join {{ keys }} as a on a.touch_id = pairs.a_touch_id
                join {{ keys }} as b on b.touch_id = pairs.b_touch_id
            ) as parts
        ) as sides
    )
{%- endmacro %}
