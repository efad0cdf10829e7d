{#- Lower case, accents gone, "&" -> "and", periods/apostrophes dropped, other punctuation -> space. -#}
{% macro company_name_tokens(expr) -%}
    string_split(trim(regexp_replace(regexp_replace(replace(regexp_replace(
        lower(strip_accents({{ expr }})), '[.''’]', '', 'g'), '&', ' and '),
        '[^a-z0-9]+', ' ', 'g'), '\s+', ' ', 'g')), ' ')
{%- endmacro %}

{#- The matching key of a company name: its tokens without the trailing legal suffixes
    ("Acme Inc." and "ACME GmbH" -> "acme"). `suffixes` is a list column of seed
    legal_company_suffixes (select list(suffix) ...), so the list stays reference data.
    A name made only of suffix words ("Company") keeps all its tokens. -#}
{% macro company_name_key(expr, suffixes) -%}
    nullif(array_to_string(list_slice(
        {{ company_name_tokens(expr) }}, 1,
        len({{ company_name_tokens(expr) }}) - coalesce(nullif(list_position(
            list_transform(list_reverse({{ company_name_tokens(expr) }}), lambda token: list_contains({{ suffixes }}, token)),
            false), 0) - 1, 0)
    ), ' '), '')
{%- endmacro %}

{#- A bare host from a website / domain value: no scheme, www., path, port or trailing dot. -#}
{% macro host_from_url(expr) -%}
    nullif(regexp_extract(
        regexp_replace(lower(trim({{ expr }})), '^[a-z]+://|^www\.|^//', '', 'g'),
        '^(?:www\.)?([a-z0-9][a-z0-9.-]*\.[a-z]{2,})', 1), '')
{%- endmacro %}
