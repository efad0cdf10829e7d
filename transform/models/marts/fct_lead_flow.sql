{#- One row per source per day, from the source's first lead to the last day any source has
    data, so quiet days count as zeros (contract). Consistency figures:
    - rolling_weekly_volume: leads in the 7 days ending that day;
    - rolling_4w_mean_weekly: mean weekly volume over the 28 days ending that day;
    - weekly_volume_cv: coefficient of variation of the last four 7-day volumes;
    - days_since_last_lead, longest_gap_days (so far);
    - flow_status: feast / famine when the 7-day volume is beyond +-feast_famine_band of the
      4-week mean, steady otherwise, null before 28 days of history;
      below_min_share when under leadsync_monitoring.lead_flow_min_share of that mean. -#}
{%- set monitoring = var('leadsync_monitoring') -%}
with touches as (

    select * from {{ ref('fct_lead_touches') }}

),

daily_counts as (

    select
        source_name,
        cast(touched_at as date) as flow_date,
        count(*) as leads_received,
        count(*) filter (where is_new_lead) as new_leads,
        count(*) filter (where is_valid) as valid_leads
    from touches
    group by source_name, cast(touched_at as date)

),

source_ranges as (

    select source_name, min(flow_date) as first_date
    from daily_counts
    group by source_name

),

spine as (

    select
        source_ranges.source_name,
        cast(day as date) as flow_date
    from source_ranges
    cross join lateral (
        select days.day from generate_series(
            source_ranges.first_date::timestamp,
            (select max(flow_date) from daily_counts)::timestamp,
            interval '1 day') as days (day)
    ) as spine_days

),

filled as (

    select
        spine.source_name,
        spine.flow_date,
        coalesce(daily_counts.leads_received, 0) as leads_received,
        coalesce(daily_counts.new_leads, 0) as new_leads,
        coalesce(daily_counts.valid_leads, 0) as valid_leads
    from spine
    left join daily_counts
        on daily_counts.source_name = spine.source_name and daily_counts.flow_date = spine.flow_date

),

windowed as (

    select
        *,
        sum(leads_received) over w7 as rolling_weekly_volume,
        sum(leads_received) over w28 / 4.0 as rolling_4w_mean_weekly,
        count(*) over w28 as days_of_history,
        max(case when leads_received > 0 then flow_date end) over running as last_lead_date
    from filled
    window
        w7 as (partition by source_name order by flow_date rows between 6 preceding and current row),
        w28 as (partition by source_name order by flow_date rows between 27 preceding and current row),
        running as (partition by source_name order by flow_date rows between unbounded preceding and current row)

),

weekly_lags as (

    select
        *,
        {{ dbt.datediff('last_lead_date', 'flow_date', 'day') }} as days_since_last_lead,
        array[rolling_weekly_volume,
         lag(rolling_weekly_volume, 7) over by_day,
         lag(rolling_weekly_volume, 14) over by_day,
         lag(rolling_weekly_volume, 21) over by_day] as last_four_weeks
    from windowed
    window by_day as (partition by source_name order by flow_date)

),

final as (

    select
        md5(source_name || '|' || flow_date::varchar) as source_day_id,
        source_name,
        flow_date,
        leads_received,
        new_leads,
        valid_leads,
        rolling_weekly_volume,
        round(rolling_4w_mean_weekly, 2) as rolling_4w_mean_weekly,
        case when days_of_history >= 28 and rolling_4w_mean_weekly > 0
             then {{ xdb_round(xdb_list_stddev_pop('last_four_weeks') ~ ' / ' ~ xdb_list_avg('last_four_weeks'), 4) }} end as weekly_volume_cv,
        days_since_last_lead,
        max(days_since_last_lead) over (
            partition by source_name order by flow_date rows between unbounded preceding and current row
        ) as longest_gap_days,
        case
            when days_of_history < 28 then null
            when rolling_weekly_volume > rolling_4w_mean_weekly * (1 + {{ sql_number(monitoring['feast_famine_band']) }}) then 'feast'
            when rolling_weekly_volume < rolling_4w_mean_weekly * (1 - {{ sql_number(monitoring['feast_famine_band']) }}) then 'famine'
            else 'steady'
        end as flow_status,
        days_of_history >= 28
            and rolling_weekly_volume < rolling_4w_mean_weekly * {{ sql_number(monitoring['lead_flow_min_share']) }} as is_below_min_share
    from weekly_lags

)

select * from final
