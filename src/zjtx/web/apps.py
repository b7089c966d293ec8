from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zjtx.web"
    label = "zjtx_web"
    verbose_name = "中山市专精特新梯度培育平台"
