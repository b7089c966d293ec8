from django.urls import path, re_path

from zjtx.apps.cultivation.views import applications, calendar, ledger, plans, pool, services, targets

app_name = "cultivation"

_EXT = r"\.(?P<fmt>csv|xlsx|json)"

urlpatterns = [
    path("", pool.pool_list, name="pool"),
    re_path(rf"^pool{_EXT}$", pool.pool_list, name="pool_export"),
    path("run-auto/", pool.run_auto, name="run_auto"),
    path("members/add/", pool.members_add, name="members_add"),
    path("enterprises/<str:uscc>/", pool.enterprise_page, name="enterprise"),
    path("enterprises/<str:uscc>/stage/", pool.set_stage, name="set_stage"),
    path("enterprises/<str:uscc>/stage/<str:tier>/release/", pool.release_stage, name="release_stage"),
    path("enterprises/<str:uscc>/membership/", pool.membership, name="membership"),
    path("enterprises/<str:uscc>/estimate/", ledger.ledger_estimate, name="ledger_estimate"),
    path("calendar/", calendar.calendar, name="calendar"),
    re_path(r"^calendar\.(?P<fmt>csv|xlsx|json|ics)$", calendar.calendar, name="calendar_export"),
    path("designations/", calendar.designations, name="designations"),
    re_path(rf"^designations{_EXT}$", calendar.designations, name="designations_export"),
    path("designations/new/", calendar.designation_new, name="designation_new"),
    path("designations/<int:title_id>/update/", calendar.annual_update, name="annual_update"),
    path("designations/<int:title_id>/status/", calendar.designation_status, name="designation_status"),
    path("applications/", applications.application_list, name="applications"),
    re_path(rf"^applications{_EXT}$", applications.application_list, name="applications_export"),
    path("applications/summary.xlsx", applications.application_summary, name="application_summary"),
    path("applications/new/", applications.application_new, name="application_new"),
    path("applications/<int:pk>/", applications.application_detail, name="application"),
    path("applications/<int:pk>/edit/", applications.application_edit, name="application_edit"),
    path("applications/<int:pk>/transition/", applications.application_transition, name="application_transition"),
    path("plans/", plans.plan_list, name="plans"),
    re_path(rf"^plans{_EXT}$", plans.plan_list, name="plans_export"),
    path("plans/new/", plans.plan_new, name="plan_new"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan"),
    path("plans/<int:pk>/items/<int:item_id>/", plans.plan_item, name="plan_item"),
    path("plans/<int:pk>/recheck/", plans.plan_recheck, name="plan_recheck"),
    path("services/", services.service_list, name="services"),
    re_path(rf"^services{_EXT}$", services.service_list, name="services_export"),
    path("services/stats/", services.service_stats_view, name="service_stats"),
    re_path(rf"^services/stats{_EXT}$", services.service_stats_view, name="service_stats_export"),
    path("services/new/", services.service_new, name="service_new"),
    path("services/<int:pk>/", services.service_detail, name="service"),
    path("ledger/", ledger.ledger_list, name="ledger"),
    re_path(rf"^ledger{_EXT}$", ledger.ledger_list, name="ledger_export"),
    path("ledger/new/", ledger.ledger_new, name="ledger_new"),
    path("targets/", targets.target_list, name="targets"),
    re_path(rf"^targets{_EXT}$", targets.target_list, name="targets_export"),
    path("targets/new/", targets.target_new, name="target_new"),
]
