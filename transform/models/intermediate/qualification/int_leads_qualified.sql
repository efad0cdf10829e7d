{#- ICP score, grade, MQL decision and disqualification for each lead, from
    var('leadsync_qualification') (shape: ingestion/config.py QualificationConfig).
    icp_score = sum of the weights of the rules that fired / sum of all rule weights * 100
    (0 when no rule has a weight). Disqualified leads keep their score but get grade D and
    are never MQLs. `qualification_reasons` lists every rule that fired, for the sales rep.
    Incremental: only leads whose golden record or account was recomputed since this model's
    last run; every lead when the qualification vars or the seniority seed changed
    (`qualification_hash` stores what the rows were computed with). -#}
{%- set incremental = lead_incremental(['refreshed_at', 'qualification_hash']) -%}
{%- set q = var('leadsync_qualification') -%}
{%- set rules = q['rules'] -%}
{%- set grades = q['grades'] -%}
{%- set total_weight = (rules.values() | map(attribute='weight') | sum) -%}
{%- set competitors = (q['competitor_domains'] or []) | map('lower') | list -%}
{%- set vars_hash = local_md5(tojson(q, sort_keys=True)) -%}

with seniority_keywords as (

    select * from {{ ref('title_seniority_keywords') }}

),

qualification_hash as (

    select md5('{{ vars_hash }}|' || coalesce(string_agg(
        keyword || '|' || seniority || '|' || rank::varchar, ',' order by keyword, seniority, rank), '')) as hash
    from seniority_keywords

),

leads as (

    select * from {{ ref('int_leads_golden') }}
    {%- if incremental %}
    where refreshed_at > {{ refresh_watermark() }}
       or lead_id in ({{ refreshed_since(ref('int_lead_accounts')) }})
       or exists (select 1 from {{ this }} where qualification_hash <> (select hash from qualification_hash))
    {%- endif %}

),

lead_accounts as (

    select * from {{ ref('int_lead_accounts') }}

),

titles as (

    -- padded word form, so a keyword matches whole words with a plain `contains`
    select lead_id, ' ' || trim(regexp_replace(lower(job_title), '[^a-z0-9]+', ' ', 'g')) || ' ' as title_words
    from leads
    where job_title is not null

),

seniority as (

    select
        titles.lead_id,
        {{ xdb_arg_min('seniority_keywords.seniority', 'seniority_keywords.rank') }} as title_seniority
    from titles
    inner join seniority_keywords
        on {{ xdb_contains('titles.title_words', "' ' || seniority_keywords.keyword || ' '") }}
    group by titles.lead_id

),

enriched as (

    select
        leads.*,
        coalesce(lead_accounts.is_target_account, false) as is_target_account,
        lead_accounts.account_id,
        seniority.title_seniority
    from leads
    left join lead_accounts on lead_accounts.lead_id = leads.lead_id
    left join seniority on seniority.lead_id = leads.lead_id

),

rules_fired as (

    select
        *,
        {# industry: a configured value equal to, or contained in, the lead's industry #}
        {%- set industries = rules['industry']['values'] or [] %}
        {% if industries -%}
        coalesce({% for v in industries %}{{ xdb_contains('lower(industry)', sql_string(v | lower)) }}{{ ' or ' if not loop.last }}{% endfor %}, false)
        {%- else %}false{% endif %} as fired_industry,
        {%- for field in ['employee_count', 'annual_revenue'] %}
        {%- set r = rules[field] %}
        {% if r['min'] is not none or r['max'] is not none -%}
        coalesce({{ field }} is not null
            {%- if r['min'] is not none %} and {{ field }} >= {{ sql_number(r['min']) }}{% endif %}
            {%- if r['max'] is not none %} and {{ field }} <= {{ sql_number(r['max']) }}{% endif %}, false)
        {%- else %}false{% endif %} as fired_{{ field }},
        {%- endfor %}
        {%- set countries = rules['country']['values'] or [] %}
        {% if countries -%}
        coalesce(country_code in ({% for v in countries %}{{ sql_string(v | upper) }}{{ ', ' if not loop.last }}{% endfor %}), false)
        {%- else %}false{% endif %} as fired_country,
        {%- for field, column in [('job_title', 'job_title'), ('need', 'needs')] %}
        {%- set keywords = rules[field]['keywords'] or [] %}
        {% if keywords -%}
        {%- set escaped = [] %}{% for k in keywords %}{% do escaped.append(modules.re.escape(k | lower)) %}{% endfor %}
        coalesce({{ xdb_regexp_matches('lower(' ~ column ~ ')', sql_string('\\b(' ~ escaped | join('|') ~ ')\\b')) }}, false)
        {%- else %}false{% endif %} as fired_{{ field }},
        {%- endfor %}
        is_target_account as fired_target_account
    from enriched

),

scored as (

    select
        *,
        {% if total_weight > 0 -%}
        round((
            {%- for name, rule in rules.items() %}
            case when fired_{{ name }} then {{ sql_number(rule['weight']) }} else 0 end{{ ' +' if not loop.last }}
            {%- endfor %}
        ) / {{ sql_number(total_weight) }} * 100, 1)
        {%- else %}0.0{% endif %} as icp_score,
        {%- set icp_list -%}
        array[
            {%- for name, rule in rules.items() if rule['weight'] > 0 %}
            case when fired_{{ name }} then '{{ name }} (+{{ '%g' | format(rule['weight']) }})' end{{ ',' if not loop.last }}
            {%- endfor %}
        ]::varchar[]
        {%- endset %}
        {%- set disqualification_list -%}
        array[
            case when email is not null and not email_is_valid then 'invalid email' end,
            case when is_disposable_email then 'disposable email domain' end,
            {% if q['b2b_only'] -%}
            case when is_free_email then 'free-mail address (B2B only)' end,
            {% endif -%}
            case when is_test then 'platform test lead' end,
            case when {{ xdb_regexp_full_match("lower(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))",
                      "'\\s*((test|asdf|qwerty|asd|xxx+|aaa+|foo|bar|dummy|fake|sample|none|n/?a|abc|lorem|ipsum)\\s*)+'") }}
                      and (first_name is not null or last_name is not null)
                 then 'test name' end,
            {% if competitors -%}
            case when lower(company_domain) in ({% for d in competitors %}{{ sql_string(d) }}{{ ', ' if not loop.last }}{% endfor %})
                   or lower(email_domain) in ({% for d in competitors %}{{ sql_string(d) }}{{ ', ' if not loop.last }}{% endfor %})
                 then 'competitor domain' end,
            {% endif -%}
            case when not coalesce(email_is_valid, false) and phone_e164 is null
                 then 'no usable contact channel' end
        ]
        {%- endset %}
        {{ xdb_list_filter(icp_list, 'r', 'r is not null') }} as icp_reasons,
        {{ xdb_list_filter(disqualification_list, 'r', 'r is not null') }} as disqualification_reasons
    from rules_fired

),

final as (

    select
        lead_id,
        icp_score,
        case
            when {{ xdb_list_len('disqualification_reasons') }} > 0 then 'D'
            when icp_score >= {{ sql_number(grades['A']) }} then 'A'
            when icp_score >= {{ sql_number(grades['B']) }} then 'B'
            when icp_score >= {{ sql_number(grades['C']) }} then 'C'
            else 'D'
        end as lead_grade,
        {{ xdb_list_len('disqualification_reasons') }} = 0 and icp_score >= {{ sql_number(q['mql_threshold']) }} and {{ sql_number(total_weight) }} > 0 as is_mql,
        disqualification_reasons[1] as disqualification_reason,
        disqualification_reasons,
        {{ xdb_list_concat(xdb_list_concat(xdb_list_concat(
            'icp_reasons',
            xdb_list_transform('disqualification_reasons', 'r', "'disqualified: ' || r")),
            "case when is_unsubscribed then array['flag: unsubscribed'] else array[]::varchar[] end"),
            "case when has_consent = false then array['flag: no marketing consent'] else array[]::varchar[] end") }} as qualification_reasons,
        is_target_account,
        account_id,
        title_seniority,
        {%- for name in rules.keys() %}
        fired_{{ name }},
        {%- endfor %}
        coalesce(has_consent = false, false) or is_unsubscribed as is_contact_restricted,
        (select hash from qualification_hash) as qualification_hash,
        {{ this_run_at() }} as refreshed_at
    from scored

)

select * from final
