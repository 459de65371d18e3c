"""Common mistakes in the holes of notebook 05 (auth)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "05.decode_token",
        "exp, sub and iat not required",
        change=(
            (
                '    # Always name the accepted algorithms: never let the token choose (e.g. "none").\n'
                "    claims = jwt.decode(\n"
                "        token,\n"
                "        secret_key,\n"
                "        algorithms=[ALGORITHM],\n"
                '        options={"require": ["exp", "sub", "iat"]},\n'
                "    )\n"
            ),
            "    claims = jwt.decode(token, secret_key, algorithms=[ALGORITHM])\n",
        ),
        names="never expires",
    ),
    Mistake(
        "05.decode_token",
        "only PyJWT's errors caught",
        """
        try:
            claims = jwt.decode(
                token, secret_key, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "iat"]}
            )
            return uuid.UUID(claims["sub"])
        except jwt.PyJWTError as exc:
            raise InvalidTokenError(str(exc)) from exc
        """,
        names="not a UUID",
    ),
    Mistake(
        "05.decode_token",
        "PyJWT's errors let through",
        """
        claims = jwt.decode(
            token, secret_key, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "iat"]}
        )
        return uuid.UUID(claims["sub"])
        """,
        names="every PyJWT error",
    ),
    Mistake(
        "05.rate_limit",
        "one attempt too few",
        """
        now = self.clock()
        self._forget_expired(now)
        window_start, count = self._windows.pop(key, (now, 0))
        count += 1
        self._windows[key] = (window_start, count)
        if len(self._windows) > self.max_keys:
            self._windows.popitem(last=False)
        if count < self.limit:
            return RateLimitResult(allowed=True, retry_after=0)
        remaining = window_start + self.window_seconds - now
        return RateLimitResult(allowed=False, retry_after=max(1, math.ceil(remaining)))
        """,
        names="exactly `limit` attempts",
    ),
    Mistake(
        "05.rate_limit",
        "the window never ends",
        """
        now = self.clock()
        window_start, count = self._windows.pop(key, (now, 0))
        self._windows[key] = (window_start, count + 1)
        if len(self._windows) > self.max_keys:
            self._windows.popitem(last=False)
        if count + 1 <= self.limit:
            return RateLimitResult(allowed=True, retry_after=0)
        remaining = window_start + self.window_seconds - now
        return RateLimitResult(allowed=False, retry_after=max(1, math.ceil(remaining)))
        """,
        names="a new window starts",
    ),
    Mistake(
        "05.rate_limit",
        "retry_after is the whole window",
        """
        now = self.clock()
        self._forget_expired(now)
        window_start, count = self._windows.pop(key, (now, 0))
        self._windows[key] = (window_start, count + 1)
        if len(self._windows) > self.max_keys:
            self._windows.popitem(last=False)
        if count + 1 <= self.limit:
            return RateLimitResult(allowed=True, retry_after=0)
        return RateLimitResult(allowed=False, retry_after=math.ceil(self.window_seconds))
        """,
        names="the seconds left in the window",
    ),
    Mistake(
        "05.rate_limit",
        "no bound on the windows kept",
        """
        now = self.clock()
        self._forget_expired(now)
        window_start, count = self._windows.pop(key, (now, 0))
        self._windows[key] = (window_start, count + 1)
        if count + 1 <= self.limit:
            return RateLimitResult(allowed=True, retry_after=0)
        remaining = window_start + self.window_seconds - now
        return RateLimitResult(allowed=False, retry_after=max(1, math.ceil(remaining)))
        """,
        names="at most `max_keys` windows",
    ),
    Mistake(
        "05.current_user",
        "a 401 without WWW-Authenticate",
        """
        if not token:
            raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Not authenticated")
        try:
            user_id = decode_access_token(token, settings.secret_key.get_secret_value())
        except InvalidTokenError:
            raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Bad token") from None
        user = await session.get(User, user_id)
        if user is None:
            raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Unknown user")
        if user.status != UserStatus.ACTIVE:
            raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Inactive user")
        return user
        """,
        names="WWW-Authenticate",
    ),
    Mistake(
        "05.current_user",
        "any user, active or not",
        change=(
            (
                "if user.status != UserStatus.ACTIVE:\n"
                '    raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Inactive user")\n'
            ),
            "",
        ),
        names="whose status is not active",
    ),
    Mistake(
        "05.current_user",
        "a user who is not active gets 401",
        """
        if not token:
            raise unauthorized()
        try:
            user_id = decode_access_token(token, settings.secret_key.get_secret_value())
        except InvalidTokenError:
            raise unauthorized() from None
        user = await session.get(User, user_id)
        if user is None or user.status != UserStatus.ACTIVE:
            raise unauthorized()
        return user
        """,
        names="403, not 401",
    ),
]
