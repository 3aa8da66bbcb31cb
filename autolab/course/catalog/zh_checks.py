ZH_CHECKS: dict[str, str] = {}
