-- Every health rule parameter (cfg_health_parameters) as one row with one column each, so the
-- health models cross join it and read parameters by name. A parameter missing from the seed is
-- NULL here and fails the no_null_columns test, which names it.

with

parameters as (
    select * from {{ ref('cfg_health_parameters') }}
),

final as (
    select
        max(case when parameter = 'deployment_milestones_weight' then value end) as deployment_milestones_weight,
        max(case when parameter = 'deployment_late_milestone_credit' then value end) as deployment_late_milestone_credit,
        max(case when parameter = 'deployment_activation_weight' then value end) as deployment_activation_weight,
        max(case when parameter = 'deployment_activation_target_share' then value end) as deployment_activation_target_share,
        max(case when parameter = 'stakeholder_roles_window_days' then value end) as stakeholder_roles_window_days,
        max(case when parameter = 'stakeholder_roles_target' then value end) as stakeholder_roles_target,
        max(case when parameter = 'stakeholder_roles_weight' then value end) as stakeholder_roles_weight,
        max(case when parameter = 'stakeholder_champion_weight' then value end) as stakeholder_champion_weight,
        max(case when parameter = 'stakeholder_executive_window_days' then value end) as stakeholder_executive_window_days,
        max(case when parameter = 'stakeholder_executive_weight' then value end) as stakeholder_executive_weight,
        max(case when parameter = 'stakeholder_departure_window_days' then value end) as stakeholder_departure_window_days,
        max(case when parameter = 'stakeholder_departure_penalty_points' then value end) as stakeholder_departure_penalty_points,
        max(case when parameter = 'adoption_window_days' then value end) as adoption_window_days,
        max(case when parameter = 'adoption_seat_target_share' then value end) as adoption_seat_target_share,
        max(case when parameter = 'adoption_seat_weight' then value end) as adoption_seat_weight,
        max(case when parameter = 'adoption_stickiness_target' then value end) as adoption_stickiness_target,
        max(case when parameter = 'adoption_stickiness_weight' then value end) as adoption_stickiness_weight,
        max(case when parameter = 'adoption_breadth_target_share' then value end) as adoption_breadth_target_share,
        max(case when parameter = 'adoption_breadth_weight' then value end) as adoption_breadth_weight,
        max(case when parameter = 'adoption_integration_weight' then value end) as adoption_integration_weight,
        max(case when parameter = 'adoption_trend_weight' then value end) as adoption_trend_weight,
        max(case when parameter = 'adoption_trend_zero_change' then value end) as adoption_trend_zero_change,
        max(case when parameter = 'value_goals_window_days' then value end) as value_goals_window_days,
        max(case when parameter = 'value_goals_weight' then value end) as value_goals_weight,
        max(case when parameter = 'value_roi_weight' then value end) as value_roi_weight,
        max(case when parameter = 'value_review_window_days' then value end) as value_review_window_days,
        max(case when parameter = 'value_review_program_window_days' then value end) as value_review_program_window_days,
        max(case when parameter = 'value_review_weight' then value end) as value_review_weight,
        max(case when parameter = 'support_window_days' then value end) as support_window_days,
        max(case when parameter = 'support_recent_days' then value end) as support_recent_days,
        max(case when parameter = 'support_volume_weight' then value end) as support_volume_weight,
        max(case when parameter = 'support_volume_zero_ratio' then value end) as support_volume_zero_ratio,
        max(case when parameter = 'support_volume_min_baseline' then value end) as support_volume_min_baseline,
        max(case when parameter = 'support_escalation_weight' then value end) as support_escalation_weight,
        max(case when parameter = 'support_escalation_penalty_points' then value end) as support_escalation_penalty_points,
        max(case when parameter = 'support_csat_weight' then value end) as support_csat_weight,
        max(case when parameter = 'sentiment_window_days' then value end) as sentiment_window_days,
        max(case when parameter = 'sentiment_detractor_max_score' then value end) as sentiment_detractor_max_score,
        max(case when parameter = 'sentiment_promoter_min_score' then value end) as sentiment_promoter_min_score,
        max(case when parameter = 'financial_payment_weight' then value end) as financial_payment_weight,
        max(case when parameter = 'financial_overdue_zero_days' then value end) as financial_overdue_zero_days,
        max(case when parameter = 'financial_late_weight' then value end) as financial_late_weight,
        max(case when parameter = 'financial_late_window_days' then value end) as financial_late_window_days,
        max(case when parameter = 'financial_late_penalty_points' then value end) as financial_late_penalty_points,
        max(case when parameter = 'financial_revenue_weight' then value end) as financial_revenue_weight,
        max(case when parameter = 'financial_contraction_window_days' then value end) as financial_contraction_window_days,
        max(case when parameter = 'financial_contraction_zero_share' then value end) as financial_contraction_zero_share,
        max(case when parameter = 'financial_notice_window_days' then value end) as financial_notice_window_days,
        max(case when parameter = 'financial_notice_penalty_points' then value end) as financial_notice_penalty_points,
        max(case when parameter = 'drivers_max_count' then value end) as drivers_max_count,
        max(case when parameter = 'drivers_max_component_score' then value end) as drivers_max_component_score,
        max(case when parameter = 'alert_episode_gap_days' then value end) as alert_episode_gap_days,
        max(case when parameter = 'alert_colour_drop_quiet_days' then value end) as alert_colour_drop_quiet_days,
        max(case when parameter = 'alert_score_drop_points' then value end) as alert_score_drop_points,
        max(case when parameter = 'alert_score_drop_high_points' then value end) as alert_score_drop_high_points,
        max(case when parameter = 'alert_usage_decline_share' then value end) as alert_usage_decline_share,
        max(case when parameter = 'alert_usage_decline_high_share' then value end) as alert_usage_decline_high_share,
        max(case when parameter = 'alert_usage_decline_min_previous_users' then value end) as alert_usage_decline_min_previous_users,
        max(case when parameter = 'alert_departure_window_days' then value end) as alert_departure_window_days,
        max(case when parameter = 'alert_ticket_spike_min_tickets' then value end) as alert_ticket_spike_min_tickets,
        max(case when parameter = 'alert_ticket_spike_ratio' then value end) as alert_ticket_spike_ratio,
        max(case when parameter = 'alert_nps_window_days' then value end) as alert_nps_window_days,
        max(case when parameter = 'alert_invoice_overdue_days' then value end) as alert_invoice_overdue_days,
        max(case when parameter = 'alert_invoice_overdue_high_days' then value end) as alert_invoice_overdue_high_days,
        max(case when parameter = 'validation_days_before_renewal' then value end) as validation_days_before_renewal
    from parameters
)

select * from final
