{#- Identity-resolution settings: `var('leadsync_identity')` (from leadsync.yaml `identity:`) over
    defaults. The extra keys (rules, max_block_size) are not in
    leadsync.yaml; they exist for the accuracy benchmark and for tuning by hand with --vars. -#}
{% macro identity_settings() -%}
    {%- set settings = {
        'name_similarity': 0.92,
        'max_cluster_size': 25,
        'max_block_size': 500,
        'source_priority': [],
        'default_phone_region': 'US',
        'rules': identity_rule_names(),
    } -%}
    {%- do settings.update(var('leadsync_identity', {}) or {}) -%}
    {{ return(settings) }}
{%- endmacro %}

{#- Match rules, strongest first. The rank orders them: when the guard must cut an oversized
    cluster it drops the weakest rule's links first, and a touch reports the strongest rule that
    linked it. -#}
{% macro identity_rule_names() -%}
    {{ return(['email', 'phone_and_name', 'fuzzy_name_and_company']) }}
{%- endmacro %}

{% macro identity_rule_rank(rule) -%}
    {{ return(identity_rule_names().index(rule) + 1) }}
{%- endmacro %}

{% macro identity_rule_enabled(rule) -%}
    {{ return(rule in identity_settings()['rules']) }}
{%- endmacro %}

{#- The SQL expression that names a rank back as its rule. -#}
{% macro identity_rule_from_rank(rank_expr) -%}
    case {{ rank_expr }}
    {%- for rule in identity_rule_names() %}
        when {{ loop.index }} then '{{ rule }}'
    {%- endfor %}
    end
{%- endmacro %}

{#- The time of this dbt run, one value for every identity model (a unit test overrides it). -#}
{% macro identity_now() -%}
    '{{ run_started_at.isoformat() }}'::timestamptz
{%- endmacro %}
