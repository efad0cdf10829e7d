{#- Lower case, accents gone, "&" -> "and", periods/apostrophes dropped, other punctuation -> space. -#}
{% macro company_name_tokens(expr) -%}
    {{ xdb_string_split("trim(regexp_replace(regexp_replace(replace(regexp_replace(
        lower(" ~ xdb_strip_accents(expr) ~ "), '[.''’]', '', 'g'), '&', ' and '),
        '[^a-z0-9]+', ' ', 'g'), '\s+', ' ', 'g'))", "' '") }}
{%- endmacro %}

{#- The matching key of a company name: its tokens without the trailing legal suffixes
    ("Acme Inc." and "ACME GmbH" -> "acme"). `suffixes` is a list column of seed
    legal_company_suffixes (select list(suffix) ...), so the list stays reference data.
    A name made only of suffix words ("Company") keeps all its tokens. -#}
{% macro company_name_key(expr, suffixes) -%}
    {%- set tokens = company_name_tokens(expr) -%}
    {%- set is_suffix = xdb_list_transform(xdb_list_reverse(tokens), 'token', xdb_list_contains(suffixes, 'token')) -%}
    nullif(array_to_string({{ xdb_list_slice(tokens, 1,
        xdb_list_len(tokens) ~ " - coalesce(" ~ xdb_list_position(is_suffix, 'false') ~ " - 1, 0)") }}, ' '), '')
{%- endmacro %}

{#- A bare host from a website / domain value: no scheme, www., path, port or trailing dot. -#}
{% macro host_from_url(expr) -%}
    nullif({{ xdb_regexp_extract(
        "regexp_replace(lower(trim(" ~ expr ~ ")), '^[a-z]+://|^www\.|^//', '', 'g')",
        "'^(?:www\.)?([a-z0-9][a-z0-9.-]*\.[a-z]{2,})'", 1) }}, '')
{%- endmacro %}
