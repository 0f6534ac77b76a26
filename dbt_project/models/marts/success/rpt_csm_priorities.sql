-- Today's priorities per CSM (docs/success.md, "CSM priorities"), the "CSM dashboard (daily)":
-- one row per CSM and ranked item. Items (cfg_csm_priority_rules, lower priority first):
-- at-risk calls (accounts red today), overdue renewal-motion checkpoints, overdue playbook
-- tasks, renewals due within the horizon, QBR/EBR prep (the day-60 checkpoint due within the
-- horizon and not done), expansion conversations. Within a type, the earliest date first, then
-- the larger ARR. Only accounts a CSM owns (dim_accounts.csm_email) and that are active: the
-- book of csm_book_ctes() (macros/success), shared with rpt_csm_portfolio.

with

{{ csm_book_ctes() }}

rules as (
    select * from {{ ref('cfg_csm_priority_rules') }}
),

items as (
    select
        'at_risk_call' as item_type,
        account_health.account_id,
        cast(null as {{ dbt.type_string() }}) as renewal_id,
        account_health.as_of_date as due_on,
        book.current_arr as item_arr,
        'Health red (score ' || cast(account_health.health_score as {{ dbt.type_string() }}) || ')'
            || coalesce(': ' || account_health.drivers, '') as reason
    from account_health
    inner join book
        on account_health.account_id = book.account_id
    where account_health.as_of_date = {{ as_of_date() }}
        and account_health.health_color = 'red'

    union all

    select
        'overdue_checkpoint',
        motion.account_id,
        motion.renewal_id,
        motion.due_on,
        motion.renewal_arr,
        motion.checkpoint_description || ' - due ' || cast(motion.due_on as {{ dbt.type_string() }})
            || ', ' || cast(motion.days_overdue as {{ dbt.type_string() }}) || ' days late; renewal on '
            || cast(motion.renewal_date as {{ dbt.type_string() }})
    from motion
    where motion.checkpoint_state = 'overdue'

    union all

    select
        'overdue_task',
        playbook_tasks.account_id,
        cast(null as {{ dbt.type_string() }}),
        playbook_tasks.due_on,
        book.current_arr,
        playbook_tasks.task_description || ' (' || replace(playbook_tasks.play, '_', ' ') || ') - due '
            || cast(playbook_tasks.due_on as {{ dbt.type_string() }}) || ', '
            || cast(playbook_tasks.days_overdue as {{ dbt.type_string() }}) || ' days late'
    from playbook_tasks
    inner join book
        on playbook_tasks.account_id = book.account_id
    where playbook_tasks.task_state = 'overdue'

    union all

    select
        'renewal_due',
        forecast.account_id,
        forecast.renewal_id,
        forecast.renewal_date,
        forecast.renewal_arr,
        'Renewal in ' || cast(forecast.days_to_renewal as {{ dbt.type_string() }}) || ' days ('
            || cast(forecast.renewal_date as {{ dbt.type_string() }}) || '), ' || coalesce(forecast.confidence_tier, 'no tier')
            || coalesce(', escalation ' || forecast.escalation_level, '')
    from forecast
    cross join (select horizon_days from rules where item_type = 'renewal_due') as horizon
    where forecast.days_to_renewal between 0 and horizon.horizon_days

    union all

    select
        'qbr_prep',
        motion.account_id,
        motion.renewal_id,
        motion.due_on,
        motion.renewal_arr,
        'QBR/EBR with the executive sponsor due by ' || cast(motion.due_on as {{ dbt.type_string() }})
            || ' for the renewal on ' || cast(motion.renewal_date as {{ dbt.type_string() }})
    from motion
    cross join (select horizon_days from rules where item_type = 'qbr_prep') as horizon
    where motion.checkpoint = 'day_60_exec_review'
        and motion.checkpoint_state = 'due'
        and {{ dbt.datediff(as_of_date(), 'motion.due_on', 'day') }} between 0 and horizon.horizon_days

    union all

    select
        'expansion_conversation',
        expansion.account_id,
        cast(null as {{ dbt.type_string() }}),
        expansion.as_of_date,
        expansion.arr,
        'Expansion-ready (score ' || cast(expansion.expansion_score as {{ dbt.type_string() }}) || '): '
            || coalesce(expansion.expansion_signals, '')
    from expansion
    where expansion.as_of_date = {{ as_of_date() }}
        and expansion.is_expansion_ready
),

owned as (
    select
        book.csm_email,
        book.account_name,
        items.*,
        rules.priority
    from items
    inner join book
        on items.account_id = book.account_id
    inner join rules
        on items.item_type = rules.item_type
),

final as (
    select
        {{ as_of_date() }} as as_of_date,
        csm_email,
        cast(row_number() over (
            partition by csm_email
            order by priority asc, due_on asc, item_arr desc, account_id asc, renewal_id asc
        ) as {{ dbt.type_int() }}) as priority_rank,
        item_type,
        cast(priority as {{ dbt.type_int() }}) as item_priority,
        account_id,
        account_name,
        renewal_id,
        due_on,
        cast(item_arr as decimal(18, 4)) as arr,
        reason
    from owned
)

select * from final
