from django.urls import path, re_path

from zjtx.apps.evaluations.views import briefing, dashboard, enterprise, results, runs, selfassess

app_name = "evaluations"

urlpatterns = [
    path("", dashboard.dashboard, name="index"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("runs/", runs.run_list, name="runs"),
    path("runs/<int:pk>/", runs.run_detail, name="run"),
    path("runs/<int:pk>/progress/", runs.run_progress, name="run_progress"),
    path("runs/<int:pk>/diff/", runs.run_diff, name="run_diff"),
    path("runs/<int:pk>/diff/export/", runs.run_diff_export, name="run_diff_export"),
    path("runs/<int:pk>/trace/<str:uscc>/<str:policy>/", runs.result_trace, name="result_trace"),
    path("results/", results.result_list, name="results"),
    re_path(r"^results\.(?P<fmt>csv|xlsx|json)$", results.result_list, name="results_export"),
    path("enterprise/<str:uscc>/", enterprise.enterprise_page, name="enterprise"),
    path("enterprise/<str:uscc>/report.pdf", enterprise.enterprise_report, name="enterprise_report"),
    path("self-assessment/", selfassess.self_assessment, name="self_assessment"),
    path("briefing/", briefing.briefing_page, name="briefing"),
]
