{{
    config(
        materialized='incremental',
        incremental_strategy=day_incremental_strategy(),
        partition_by=day_partition_by('as_of_date'),
        unique_key=['as_of_date', 'csm_email'],
        on_schema_change='append_new_columns',
        full_refresh=false
    )
}}

-- Each CSM's book on as_of_date (docs/success.md, "CSM portfolio"): one row per CSM with active
-- accounts (dim_accounts.is_active, current owner csm_email) and day. Health counts are the
-- accounts' colours on the day (account_health), renewals come from fct_renewal_forecast, late
-- checkpoints from fct_renewal_motion, tasks from fct_playbook_tasks, expansion from
-- account_expansion. Each run adds (or, re-run, replaces) the rows of its day and keeps earlier
-- days as they were (incremental, full_refresh=false), like rpt_executive_summary. The inputs
-- and the book are csm_book_ctes() (macros/success), shared with rpt_csm_priorities.

with

{{ csm_book_ctes() }}

health_today as (
    select account_id, health_color
    from account_health
    where as_of_date = {{ as_of_date() }}
),

renewals_by_account as (
    select
        account_id,
        count(case when days_to_renewal between 0 and 14 then 1 end) as renewals_14d,
        sum(case when days_to_renewal between 0 and 14 then renewal_arr end) as renewals_14d_arr,
        count(case when days_to_renewal between 0 and 30 then 1 end) as renewals_30d,
        sum(case when days_to_renewal between 0 and 30 then renewal_arr end) as renewals_30d_arr,
        count(case when days_to_renewal between 0 and 90 then 1 end) as renewals_90d,
        sum(case when days_to_renewal between 0 and 90 then renewal_arr end) as renewals_90d_arr
    from forecast
    group by account_id
),

checkpoints_by_account as (
    select
        account_id,
        count(case when checkpoint_state in ('overdue', 'missed') then 1 end) as late_checkpoints
    from motion
    group by account_id
),

tasks_by_account as (
    select
        account_id,
        count(case when task_state in ('open', 'overdue') then 1 end) as open_tasks,
        count(case when task_state = 'overdue' then 1 end) as overdue_tasks
    from playbook_tasks
    group by account_id
),

expansion_today as (
    select account_id, is_expansion_ready
    from expansion
    where as_of_date = {{ as_of_date() }}
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        book.csm_email,
        count(*) as accounts,
        cast(sum(book.current_arr) as decimal(18, 4)) as arr,
        count(case when health_today.health_color = 'green' then 1 end) as accounts_healthy,
        count(case when health_today.health_color = 'yellow' then 1 end) as accounts_watch,
        count(case when health_today.health_color = 'red' then 1 end) as accounts_at_risk,
        count(case when health_today.health_color is null then 1 end) as accounts_unscored,
        cast(coalesce(sum(case when health_today.health_color = 'red' then book.current_arr end), 0) as decimal(18, 4))
            as arr_at_risk,
        cast(coalesce(sum(renewals_by_account.renewals_14d), 0) as {{ dbt.type_bigint() }}) as renewals_next_14d,
        cast(coalesce(sum(renewals_by_account.renewals_14d_arr), 0) as decimal(18, 4)) as renewals_next_14d_arr,
        cast(coalesce(sum(renewals_by_account.renewals_30d), 0) as {{ dbt.type_bigint() }}) as renewals_next_30d,
        cast(coalesce(sum(renewals_by_account.renewals_30d_arr), 0) as decimal(18, 4)) as renewals_next_30d_arr,
        cast(coalesce(sum(renewals_by_account.renewals_90d), 0) as {{ dbt.type_bigint() }}) as renewals_next_90d,
        cast(coalesce(sum(renewals_by_account.renewals_90d_arr), 0) as decimal(18, 4)) as renewals_next_90d_arr,
        cast(coalesce(sum(checkpoints_by_account.late_checkpoints), 0) as {{ dbt.type_bigint() }}) as late_checkpoints,
        cast(coalesce(sum(tasks_by_account.open_tasks), 0) as {{ dbt.type_bigint() }}) as open_tasks,
        cast(coalesce(sum(tasks_by_account.overdue_tasks), 0) as {{ dbt.type_bigint() }}) as overdue_tasks,
        count(case when expansion_today.is_expansion_ready then 1 end) as expansion_ready_accounts,
        cast(coalesce(sum(case when expansion_today.is_expansion_ready then book.current_arr end), 0) as decimal(18, 4))
            as expansion_ready_arr
    from book
    left join health_today
        on book.account_id = health_today.account_id
    left join renewals_by_account
        on book.account_id = renewals_by_account.account_id
    left join checkpoints_by_account
        on book.account_id = checkpoints_by_account.account_id
    left join tasks_by_account
        on book.account_id = tasks_by_account.account_id
    left join expansion_today
        on book.account_id = expansion_today.account_id
    group by book.csm_email
)

select * from final
