-- Inputs the loaders rejected (ragged rows, unknown events, unreadable payloads...).
with source as (

    select * from {{ raw_or_empty(source('raw', 'quarantine')) }} as raw_rows

),

final as (

    select
        * exclude (_dlt_load_id, _dlt_id),
        _dlt_load_id as load_id,
        _dlt_id as dlt_row_id
    from source

)

select * from final
