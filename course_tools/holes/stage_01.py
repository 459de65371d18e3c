"""Common mistakes in the holes of notebook 01 (settings)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "01.weak_secret",
        "the SecretStr compared with a str",
        """
        if info.data.get("environment") != "production":
            return value
        if value == DEVELOPMENT_SECRET_KEY:
            raise ValueError("the development default is refused in production: set SECRET_KEY")
        if len(value) < 32:
            raise ValueError("must be at least 32 characters long in production")
        return value
        """,
        names="get_secret_value()",
    ),
    Mistake(
        "01.weak_secret",
        "only the development default refused",
        """
        if info.data.get("environment") != "production":
            return value
        if value.get_secret_value() == DEVELOPMENT_SECRET_KEY:
            raise ValueError("the development default is refused in production: set SECRET_KEY")
        return value
        """,
        names="shorter than 32 characters",
    ),
    Mistake(
        "01.weak_secret",
        "refused in every environment",
        change=(
            ('if info.data.get("environment") != "production":\n    return value\n'),
            "",
        ),
        names="outside production",
    ),
    Mistake(
        "01.usable_hosts",
        "an empty list let through",
        change=(
            (
                "if not hosts:\n"
                '    raise ValueError("name at least one host the service answers to")\n'
            ),
            "",
        ),
        names="empty allowed_hosts",
    ),
    Mistake(
        "01.usable_hosts",
        'only a lone "*" refused',
        change=(
            'if "*" in hosts and info.data.get("environment") == "production":\n',
            'if hosts == ["*"] and info.data.get("environment") == "production":\n',
        ),
        names="beside real names",
    ),
    Mistake(
        "01.usable_hosts",
        '"*" refused in every environment',
        change=(
            (
                'if "*" in hosts and info.data.get("environment") == "production":\n'
                "    raise ValueError('\"*\" accepts any Host header: list the real host names in production')\n"
            ),
            (
                'if "*" in hosts:\n'
                "    raise ValueError('\"*\" accepts any Host header: list the real host names')\n"
            ),
        ),
        names="only production refuses it",
    ),
]
