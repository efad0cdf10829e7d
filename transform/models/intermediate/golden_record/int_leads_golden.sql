{{ config(post_hook="delete from {{ this }} where lead_id not in (select lead_id from {{ ref('int_identity_assignments') }})") }}
{#- One row per resolved person (lead_id from identity): the golden record.
    Survivorship: per field, the non-empty value from the best-ranked touch, where rank is
    `leadsync_identity.source_priority` first (listed sources win, in list order) and recency
    second (latest touched_at), touch_id last, so equal times always pick the same touch. Which touch won is recorded for the key fields (*_source_name).
    Incremental: only leads whose identity changed in this run (identity updated_at) or that got
    a newer version of a touch (load_id) are recomputed, from all their touches; leads merged
    away are deleted by the post-hook. `refreshed_at` tells downstream models which leads moved. -#}
{%- set priority = var('leadsync_identity')['source_priority'] or [] -%}
{%- set survived = ['email', 'phone_e164', 'first_name', 'last_name', 'company_name', 'company_name_key',
                    'company_domain', 'job_title', 'country_code', 'city', 'state', 'industry',
                    'employee_count', 'annual_revenue', 'has_consent'] -%}
{%- set with_source = ['email', 'phone_e164', 'company_name', 'company_domain', 'job_title', 'country_code'] -%}

with touches as (

    select * from {{ ref('int_lead_touches_normalized') }}

),

identity as (

    select touch_id, lead_id, updated_at from {{ ref('int_identity_assignments') }}

),
{% if is_incremental() %}
affected_leads as (

    select lead_id from identity
    where updated_at > (select coalesce(max(identity_updated_at), '-infinity'::timestamptz) from {{ this }})
    union
    select identity.lead_id from identity
    inner join touches on touches.touch_id = identity.touch_id
    where touches.load_id > (select coalesce(max(max_load_id), '') from {{ this }})

),
{% endif %}

ranked as (

    select
        identity.lead_id,
        identity.updated_at as identity_updated_at,
        touches.*,
        -- bigger wins: priority band (listed sources above unlisted), then recency in seconds
        {% if priority -%}
        ({{ priority | length }} - case touches.source_name
            {%- for name in priority %}
            when {{ sql_string(name) }} then {{ loop.index0 }}
            {%- endfor %}
            else {{ priority | length }} end) * 1e11
        {%- else %}0{% endif %}
        + extract(epoch from touches.touched_at) as survivorship_rank
    from touches
    inner join identity on identity.touch_id = touches.touch_id
    {%- if is_incremental() %}
    where identity.lead_id in (select lead_id from affected_leads)
    {%- endif %}

),

final as (

    select
        lead_id,
        {%- for field in survived %}
        {{ xdb_arg_max(field, '(survivorship_rank, touch_id)', where=field ~ ' is not null') }} as {{ field }},
        {%- endfor %}
        {%- for field in with_source %}
        {{ xdb_arg_max('source_name', '(survivorship_rank, touch_id)', where=field ~ ' is not null') }} as {{ field }}_source_name,
        {%- endfor %}
        {{ xdb_arg_max('email_is_valid', '(survivorship_rank, touch_id)', where='email is not null') }} as email_is_valid,
        {{ xdb_arg_max('is_role_email', '(survivorship_rank, touch_id)', where='email is not null') }} as is_role_email,
        {{ xdb_arg_max('is_free_email', '(survivorship_rank, touch_id)', where='email is not null') }} as is_free_email,
        {{ xdb_arg_max('is_disposable_email', '(survivorship_rank, touch_id)', where='email is not null') }} as is_disposable_email,
        {{ xdb_arg_max('email_domain', '(survivorship_rank, touch_id)', where='email is not null') }} as email_domain,
        {{ xdb_arg_min('lead_origin', '(touched_at, touch_id)') }} as lead_origin,
        {{ xdb_arg_min('source_name', '(touched_at, touch_id)') }} as first_source_name,
        {{ xdb_arg_min('source_type', '(touched_at, touch_id)') }} as first_source_type,
        {{ xdb_arg_min('coalesce(campaign_name, utm_campaign, campaign_id)', '(touched_at, touch_id)') }} as first_campaign,
        {{ xdb_arg_max('source_name', '(touched_at, touch_id)') }} as last_source_name,
        {{ xdb_arg_max('coalesce(campaign_name, utm_campaign, campaign_id)', '(touched_at, touch_id)') }} as last_campaign,
        min(touched_at) as first_seen_at,
        max(touched_at) as last_seen_at,
        count(*) as touch_count,
        bool_or(is_unsubscribed) as is_unsubscribed,
        bool_and(is_test) as is_test,
        string_agg(distinct need, ' | ' order by need) as needs,
        {{ xdb_arg_min('touch_id', '(touched_at, touch_id)') }} as first_touch_id,
        max(identity_updated_at) as identity_updated_at,
        '{{ run_started_at.isoformat() }}'::timestamptz as refreshed_at,
        max(load_id) as max_load_id
    from ranked
    group by lead_id

)

select * from final
