/* tg_special.h: the special functions libm lacks or computes with other conventions than the
   reference's (SciPy's): digamma, trigamma and the inverse error function, and the gamma
   function and its logarithm. Each is computed in double for both float dtypes, as SciPy
   computes its float32 loops, so that a float32 result is the double one rounded once.

   Part of tg_prelude.h, after tg_scalar.h. */

/* The asymptotic series of digamma and trigamma hold to double precision from 10 up; below,
   the recurrences psi(x) = psi(x + 1) - 1/x and psi1(x) = psi1(x + 1) + 1/x**2 move x there
   (at most 10 steps). Negative arguments reflect: psi(x) = psi(1 - x) - pi cot(pi x) and
   psi1(x) = pi**2 / sin(pi x)**2 - psi1(1 - x), with pi x reduced by the nearest integer first
   (x - rint(x) is exact), so that the trigonometric function sees a small argument. */
static inline npy_float64 tg_psi_f64(npy_float64 x) {
    npy_float64 result = 0.0, t;
    if (isnan(x) || x == INFINITY) return x;
    if (x == -INFINITY) return NAN;
    if (x == 0.0) return copysign(INFINITY, -x); /* -1/x: -inf at +0, inf at -0 */
    if (x < 0.0) {
        if (x == floor(x)) return NAN;
        result = -M_PI / tan(M_PI * (x - rint(x)));
        x = 1.0 - x;
    }
    while (x < 10.0) {
        result -= 1.0 / x;
        x += 1.0;
    }
    t = 1.0 / (x * x);
    return result + log(x) - 0.5 / x -
           t * (1.0 / 12 - t * (1.0 / 120 - t * (1.0 / 252 - t * (1.0 / 240 - t * (1.0 / 132 -
                t * (691.0 / 32760 - t / 12.0))))));
}

static inline npy_float64 tg_trigamma_f64(npy_float64 x) {
    npy_float64 reflected = 0.0, sign = 1.0, result = 0.0, t, s;
    if (isnan(x)) return x;
    if (x == INFINITY) return 0.0;
    if (x <= 0.0 && x == floor(x)) return INFINITY; /* the poles, and -inf as SciPy */
    if (x < 0.0) {
        s = sin(M_PI * (x - rint(x)));
        reflected = M_PI * M_PI / (s * s);
        sign = -1.0;
        x = 1.0 - x;
    }
    while (x < 10.0) {
        result += 1.0 / (x * x);
        x += 1.0;
    }
    t = 1.0 / (x * x);
    result += 1.0 / x + 0.5 * t +
              t / x * (1.0 / 6 - t * (1.0 / 30 - t * (1.0 / 42 - t * (1.0 / 30 - t * (5.0 / 66 -
              t * (691.0 / 2730 - t * 7.0 / 6))))));
    return reflected + sign * result;
}

/* erfinv: M. Giles' approximation ("Approximating the erfinv function", 2010: about 1e-7
   relative), then two Newton steps on erf(y) = |x|, written erfc(y) = 1 - |x| from 0.5 up,
   where 1 - |x| is exact and erf(y) has lost the digits that matter. */
static inline npy_float64 tg_erfinv_f64(npy_float64 x) {
    npy_float64 a = fabs(x), w, p, y;
    int step;
    if (isnan(x) || x == 0.0) return x;
    if (a >= 1.0) return a == 1.0 ? copysign(INFINITY, x) : NAN;
    w = -log((1.0 - a) * (1.0 + a));
    if (w < 5.0) {
        w -= 2.5;
        p = 2.81022636e-08;
        p = 3.43273939e-07 + p * w;
        p = -3.5233877e-06 + p * w;
        p = -4.39150654e-06 + p * w;
        p = 0.00021858087 + p * w;
        p = -0.00125372503 + p * w;
        p = -0.00417768164 + p * w;
        p = 0.246640727 + p * w;
        p = 1.50140941 + p * w;
    } else {
        w = sqrt(w) - 3.0;
        p = -0.000200214257;
        p = 0.000100950558 + p * w;
        p = 0.00134934322 + p * w;
        p = -0.00367342844 + p * w;
        p = 0.00573950773 + p * w;
        p = -0.0076224613 + p * w;
        p = 0.00943887047 + p * w;
        p = 1.00167406 + p * w;
        p = 2.83297682 + p * w;
    }
    y = p * a;
    for (step = 0; step < 2; step++) {
        const npy_float64 error = a < 0.5 ? erf(y) - a : (1.0 - a) - erfc(y);
        y -= error / (M_2_SQRTPI * exp(-y * y));
    }
    return copysign(y, x);
}

/* C's tgamma and lgamma (lgamma_r: lgamma itself writes the global signgam, a race between the
   threads of a parallel loop). */
static inline npy_float64 tg_gamma_f64(npy_float64 x) { return tgamma(x); }

static inline npy_float64 tg_gammaln_f64(npy_float64 x) {
    int sign;
    return lgamma_r(x, &sign);
}

#define TG_SPECIAL_IN_DOUBLE(NAME)                                                                 \
    static inline npy_float32 tg_##NAME##_f32(npy_float32 x) {                                     \
        return (npy_float32)tg_##NAME##_f64((npy_float64)x);                                       \
    }

TG_SPECIAL_IN_DOUBLE(psi)
TG_SPECIAL_IN_DOUBLE(trigamma)
TG_SPECIAL_IN_DOUBLE(erfinv)
TG_SPECIAL_IN_DOUBLE(gamma)
TG_SPECIAL_IN_DOUBLE(gammaln)
