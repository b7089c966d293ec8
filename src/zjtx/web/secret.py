"""The secret key: from ``ZJTX_SECRET_KEY``, else read from (or generated once into) the data directory.

The generated key is 50 random characters (Django's ``get_random_secret_key``) in
``<data dir>/secret_key``, created with mode 0600 (owner read/write only) and reused on every start,
so sessions survive restarts. There is no built-in key: when no key can be had (the file cannot be
written or read) the platform refuses to start with a message saying what to do.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

KEY_FILE = "secret_key"
MIN_LENGTH = 32


_REASONS = {
    errno.ENOENT: "目录不存在且无法创建",
    errno.EACCES: "没有读写权限",
    errno.EPERM: "没有读写权限",
    errno.EROFS: "文件系统只读",
    errno.ENOSPC: "磁盘空间不足",
    errno.ENOTDIR: "路径中有同名文件而不是目录",
}


class SecretKeyError(RuntimeError):
    """No secret key can be had; the message (Chinese) says why and what to do."""


def load_secret_key(data_dir: Path, env_value: str | None = None) -> str:
    """``env_value`` (``ZJTX_SECRET_KEY``) if given, else the key file in ``data_dir`` (created if absent)."""
    if env_value is not None and env_value.strip():
        key = env_value.strip()
        if len(key) < MIN_LENGTH:
            raise SecretKeyError(f"ZJTX_SECRET_KEY 太短（{len(key)} 个字符，至少 {MIN_LENGTH} 个）：请设置足够长的随机字符串")
        return key
    path = Path(data_dir) / KEY_FILE
    try:
        if path.exists():
            key = path.read_text(encoding="utf-8").strip()
            if len(key) < MIN_LENGTH:
                raise SecretKeyError(f"密钥文件 {path} 内容无效（少于 {MIN_LENGTH} 个字符）：请删除该文件后重新启动以生成新密钥，"
                                     "或设置环境变量 ZJTX_SECRET_KEY")
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        from django.core.management.utils import get_random_secret_key

        key = get_random_secret_key()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(key + "\n")
        return key
    except FileExistsError:  # another process created it meanwhile: use theirs
        return load_secret_key(data_dir, None)
    except OSError as exc:
        reason = _REASONS.get(exc.errno or 0, f"系统错误 {exc.errno}")
        raise SecretKeyError(
            f"无法读取或生成密钥文件 {path}（{reason}）。平台拒绝在没有密钥的情况下启动："
            "请设置环境变量 ZJTX_SECRET_KEY（至少 32 个随机字符），或让 ZJTX_DATA_DIR 指向可写的数据目录。"
        ) from None
