import secrets
import string
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from zjtx.apps.accounts.models import Profile, Role
from zjtx.apps.enterprises.reference import load_reference


def random_password(length: int = 16) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^*-_"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in pw) and any(c.isupper() for c in pw) and any(c.islower() for c in pw):
            return pw


class Command(BaseCommand):
    help = "初始化：迁移数据库、载入参考数据；如无超级用户则创建 admin 并打印一次随机密码"

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        counts = load_reference()
        self.stdout.write(f"参考数据：镇街 {counts['divisions']}，功能区 {counts['zones']}，行业 {counts['industries']}")
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("已有超级用户，未创建新账号")
            return
        password = random_password()
        user = User.objects.create_superuser("admin", email="", password=password)
        Profile.objects.update_or_create(user=user, defaults={"role": Role.CITY_ADMIN})
        self.stdout.write(self.style.WARNING(f"已创建管理员 admin，初始密码（只显示这一次）：{password}"))
