"""The ``@triton.jit`` helpers of generated modules: NumPy's semantics on a block, where one
Triton operator does not give them (the C backend's ``tg_scalar.h``, in Triton).

``HELPERS`` maps each helper's name to its source; a generated module defines the helpers its
kernels call (``helpers_source``), so that it is one file with nothing to import but Triton.
Integer division and remainder guard their divisor (a masked-off lane, or a zero, must not
divide by zero: NumPy gives 0 there, a GPU gives garbage or traps); float to integer casts are
x86-64 NumPy's, defined for every value (``tg.cast``).
"""

from __future__ import annotations

import re

HELPERS: dict[str, str] = {
    "tg_cmp_i64_u64": '''
@triton.jit
def tg_cmp_i64_u64(a, b):
    """-1, 0 or 1: an int64 against a uint64, exactly."""
    au = a.to(tl.uint64)
    order = tl.where(au < b, -1, tl.where(au > b, 1, 0))
    return tl.where(a < 0, -1, order)
''',
    "tg_cast_f32_i32": """
@triton.jit
def tg_cast_f32_i32(x):
    return tl.where(tl.abs(x) < 2147483648.0, x, -2147483648.0).to(tl.int32)
""",
    "tg_cast_f64_i32": """
@triton.jit
def tg_cast_f64_i32(x):
    return tl.where(tl.abs(x) < 2147483648.0, x, -2147483648.0).to(tl.int32)
""",
    "tg_cast_f32_i64": """
@triton.jit
def tg_cast_f32_i64(x):
    return tl.where(tl.abs(x) < 9.223372036854775808e18, x, -9.223372036854775808e18).to(tl.int64)
""",
    "tg_cast_f64_i64": """
@triton.jit
def tg_cast_f64_i64(x):
    return tl.where(tl.abs(x) < 9.223372036854775808e18, x, -9.223372036854775808e18).to(tl.int64)
""",
    "tg_cast_f32_ui32": """
@triton.jit
def tg_cast_f32_ui32(x):
    high = x >= 2147483648.0
    low = tl.where(high, x - 2147483648.0, x)
    return tg_cast_f32_i32(low).to(tl.uint32) ^ (high.to(tl.uint32) << 31)
""",
    "tg_cast_f64_ui32": """
@triton.jit
def tg_cast_f64_ui32(x):
    high = x >= 2147483648.0
    low = tl.where(high, x - 2147483648.0, x)
    return tg_cast_f64_i32(low).to(tl.uint32) ^ (high.to(tl.uint32) << 31)
""",
    "tg_cast_f32_ui64": """
@triton.jit
def tg_cast_f32_ui64(x):
    high = x >= 9.223372036854775808e18
    fits = high & (x < 1.8446744073709551616e19)
    big = tl.where(fits, x, 9.223372036854775808e18).to(tl.uint64)
    return tl.where(high, tl.where(fits, big, 0), tg_cast_f32_i64(x).to(tl.uint64))
""",
    "tg_cast_f64_ui64": """
@triton.jit
def tg_cast_f64_ui64(x):
    high = x >= 9.223372036854775808e18
    fits = high & (x < 1.8446744073709551616e19)
    big = tl.where(fits, x, 9.223372036854775808e18).to(tl.uint64)
    return tl.where(high, tl.where(fits, big, 0), tg_cast_f64_i64(x).to(tl.uint64))
""",
    "tg_floordiv_f": '''
@triton.jit
def tg_floordiv_f(a, b):
    """NumPy's floor division of floats (npy_divmod)."""
    mod = a % b
    if a.dtype == tl.float32:
        div = tl.div_rn(a - mod, b)
        quotient = tl.div_rn(a, b)
    else:
        div = (a - mod) / b
        quotient = a / b
    fix = (mod != 0) & ((b < 0) != (mod < 0))
    div = tl.where(fix, div - 1, div)
    floordiv = tl.floor(div)
    floordiv = tl.where(div - floordiv > 0.5, floordiv + 1, floordiv)
    zero = tl.where(quotient < 0, -0.0, 0.0).to(a.dtype)
    floordiv = tl.where(div == 0, zero, floordiv)
    return tl.where(b == 0, quotient, floordiv)
''',
    "tg_mod_f": '''
@triton.jit
def tg_mod_f(a, b):
    """NumPy's remainder of floats: the sign of the divisor."""
    mod = a % b
    fixed = tl.where((mod != 0) & ((b < 0) != (mod < 0)), mod + b, mod)
    zero = tl.where(b < 0, -0.0, 0.0).to(a.dtype)
    return tl.where(b == 0, mod, tl.where(mod == 0, zero, fixed))
''',
    "tg_floordiv_i": '''
@triton.jit
def tg_floordiv_i(a, b):
    """NumPy's floor division of signed integers: by 0 it gives 0, MIN // -1 wraps."""
    plain = (b == 0) | (b == -1)
    d = tl.where(plain, 1, b).to(b.dtype)
    q = a // d
    q = tl.where(((a % d) != 0) & ((a < 0) != (d < 0)), q - 1, q)
    return tl.where(b == 0, 0, tl.where(b == -1, (0 - a).to(a.dtype), q)).to(a.dtype)
''',
    "tg_mod_i": '''
@triton.jit
def tg_mod_i(a, b):
    """NumPy's remainder of signed integers: the sign of the divisor; by 0 (and -1) 0."""
    plain = (b == 0) | (b == -1)
    d = tl.where(plain, 1, b).to(b.dtype)
    r = a % d
    r = tl.where((r != 0) & ((r < 0) != (d < 0)), r + d, r)
    return tl.where(plain, 0, r).to(a.dtype)
''',
    "tg_floordiv_u": """
@triton.jit
def tg_floordiv_u(a, b):
    d = tl.where(b == 0, 1, b).to(b.dtype)
    return tl.where(b == 0, 0, a // d).to(a.dtype)
""",
    "tg_mod_u": """
@triton.jit
def tg_mod_u(a, b):
    d = tl.where(b == 0, 1, b).to(b.dtype)
    return tl.where(b == 0, 0, a % d).to(a.dtype)
""",
    "tg_maximum_f": '''
@triton.jit
def tg_maximum_f(a, b):
    """NaN propagates; of equal operands (-0.0 and 0.0), b."""
    return tl.where((a > b) | (a != a), a, b)
''',
    "tg_minimum_f": """
@triton.jit
def tg_minimum_f(a, b):
    return tl.where((a < b) | (a != a), a, b)
""",
    "tg_maximum_i": """
@triton.jit
def tg_maximum_i(a, b):
    return tl.where(a >= b, a, b)
""",
    "tg_minimum_i": """
@triton.jit
def tg_minimum_i(a, b):
    return tl.where(a <= b, a, b)
""",
    "tg_sign_f": """
@triton.jit
def tg_sign_f(x):
    one = tl.full(x.shape, 1, x.dtype)
    zero = tl.full(x.shape, 0, x.dtype)
    return tl.where(x > 0, one, tl.where(x < 0, -one, tl.where(x == 0, zero, x)))
""",
    "tg_sign_i": """
@triton.jit
def tg_sign_i(x):
    return ((x > 0).to(x.dtype) - (x < 0).to(x.dtype)).to(x.dtype)
""",
    "tg_sigmoid_f": '''
@triton.jit
def tg_sigmoid_f(x):
    """The reference's sigmoid: exp(-|x|), then the branch of x's sign."""
    e = libdevice.exp(-tl.abs(x))
    one = tl.full(x.shape, 1, x.dtype)
    if x.dtype == tl.float32:
        positive = tl.div_rn(one, one + e)
        negative = tl.div_rn(e, one + e)
    else:
        positive = one / (one + e)
        negative = e / (one + e)
    return tl.where(x >= 0, positive, negative)
''',
    "tg_softplus_f": '''
@triton.jit
def tg_softplus_f(x):
    """NumPy's logaddexp(0, x)."""
    tail = libdevice.log1p(libdevice.exp(-tl.abs(x)))
    return tl.where(x > 0, x + tail, tail)
''',
    "tg_psi_f": '''
@triton.jit
def tg_psi_f(x):
    """Digamma in float64, as the C runtime's tg_psi_f64 (tg_special.h): reflection below 0,
    the recurrence up to 10, then the asymptotic series. Constants are float64 tensors (a
    Python float is a float32 constant in Triton) and fractions divide in float64."""
    one = tl.full(x.shape, 1.0, tl.float64)
    pi = tl.full(x.shape, 3.141592653589793, tl.float64)
    pole = (x <= 0) & (x == tl.floor(x))
    negative = x < 0
    reflected = tl.where(negative, -pi / libdevice.tan(pi * (x - libdevice.rint(x))), 0.0)
    y = tl.where(negative, 1.0 - x, x)
    result = reflected
    for _ in range(10):
        small = y < 10.0
        result = tl.where(small, result - 1.0 / y, result)
        y = tl.where(small, y + 1.0, y)
    t = 1.0 / (y * y)
    series = t * (one * 691.0 / 32760.0 - t / 12.0)
    series = t * (one / 132.0 - series)
    series = t * (one / 240.0 - series)
    series = t * (one / 252.0 - series)
    series = t * (one / 120.0 - series)
    series = t * (one / 12.0 - series)
    result = result + libdevice.log(y) - 0.5 / y - series
    result = tl.where(pole, float("nan"), result)
    infinite = tl.where(libdevice.signbit(x) != 0, float("inf"), float("-inf"))
    result = tl.where(x == 0, infinite, result)
    result = tl.where(x == float("inf"), x, result)
    return tl.where(x != x, x, result)
''',
    "tg_trigamma_f": '''
@triton.jit
def tg_trigamma_f(x):
    """Trigamma in float64, as the C runtime's tg_trigamma_f64 (tg_special.h)."""
    one = tl.full(x.shape, 1.0, tl.float64)
    pi = tl.full(x.shape, 3.141592653589793, tl.float64)
    pole = (x <= 0) & (x == tl.floor(x))
    negative = x < 0
    s = libdevice.sin(pi * (x - libdevice.rint(x)))
    reflected = tl.where(negative, pi * pi / (s * s), 0.0)
    sign = tl.where(negative, -1.0, 1.0)
    y = tl.where(negative, 1.0 - x, x)
    result = y * 0.0
    for _ in range(10):
        small = y < 10.0
        result = tl.where(small, result + 1.0 / (y * y), result)
        y = tl.where(small, y + 1.0, y)
    t = 1.0 / (y * y)
    series = t * (one * 691.0 / 2730.0 - t * 7.0 / 6.0)
    series = t * (one * 5.0 / 66.0 - series)
    series = t * (one / 30.0 - series)
    series = t * (one / 42.0 - series)
    series = t * (one / 30.0 - series)
    result = result + 1.0 / y + 0.5 * t + t / y * (one / 6.0 - series)
    result = reflected + sign * result
    result = tl.where(pole, float("inf"), result)
    result = tl.where(x == float("inf"), 0.0, result)
    return tl.where(x != x, x, result)
''',
    "tg_erfinv_f": '''
@triton.jit
def tg_erfinv_f(x):
    """The inverse error function in float64, as the C runtime's tg_erfinv_f64."""
    two_over_sqrt_pi = tl.full(x.shape, 1.1283791670955126, tl.float64)
    a = tl.abs(x)
    inside = a < 1.0
    safe = tl.where(inside, a, 0.5)
    w = -libdevice.log((1.0 - safe) * (1.0 + safe))
    central = w - 2.5
    p = 2.81022636e-08
    p = 3.43273939e-07 + p * central
    p = -3.5233877e-06 + p * central
    p = -4.39150654e-06 + p * central
    p = 0.00021858087 + p * central
    p = -0.00125372503 + p * central
    p = -0.00417768164 + p * central
    p = 0.246640727 + p * central
    p = 1.50140941 + p * central
    tail = tl.sqrt(w) - 3.0
    q = -0.000200214257
    q = 0.000100950558 + q * tail
    q = 0.00134934322 + q * tail
    q = -0.00367342844 + q * tail
    q = 0.00573950773 + q * tail
    q = -0.0076224613 + q * tail
    q = 0.00943887047 + q * tail
    q = 1.00167406 + q * tail
    q = 2.83297682 + q * tail
    y = tl.where(w < 5.0, p, q) * safe
    for _ in range(2):
        error = tl.where(safe < 0.5, libdevice.erf(y) - safe, (1.0 - safe) - libdevice.erfc(y))
        y = y - error / (two_over_sqrt_pi * libdevice.exp(-y * y))
    y = tl.where(a == 1.0, float("inf"), tl.where(inside, y, float("nan")))
    y = tl.where(x < 0, -y, y)
    return tl.where((x != x) | (x == 0), x, y)
''',
    "tg_pow_i": '''
@triton.jit
def tg_pow_i(a, b):
    """Integer powers by squaring, wrapping (a negative exponent is the caller's error)."""
    result = a * 0 + 1
    base = a
    e = b
    for _ in range(64):
        result = tl.where((e & 1) != 0, result * base, result)
        base = base * base
        e = e >> 1
    return result
''',
    "tg_combine_max": '''
@triton.jit
def tg_combine_max(a, b):
    """The fold of a maximum: NaN propagates, a tie takes the later (b)."""
    return tl.where((b >= a) | (b != b), b, a)
''',
    "tg_combine_min": """
@triton.jit
def tg_combine_min(a, b):
    return tl.where((b <= a) | (b != b), b, a)
""",
    "tg_combine_mul": """
@triton.jit
def tg_combine_mul(a, b):
    return a * b
""",
}
"""Each helper's Triton source, by name."""

_CALL = re.compile(r"\b(tg_[a-z0-9_]+)\b")


def helpers_source(code: str) -> str:
    """The source of the helpers ``code`` calls, with those the helpers call in turn, each
    once, callees first.

    >>> print(helpers_source("y = tg_cast_f64_ui32(x)").count("@triton.jit"))
    2
    """
    needed: list[str] = []
    seen: set[str] = set()

    def visit(text: str) -> None:
        for name in _CALL.findall(text):
            if name in HELPERS and name not in seen:
                seen.add(name)
                visit(HELPERS[name])
                needed.append(name)

    visit(code)
    return "".join(HELPERS[name] for name in needed)
