/* tg_scalar.h: the helpers that give elementwise ops NumPy's exact semantics on one element
   (scalar.py's rules call them): comparing a signed and an unsigned 64-bit integer, casts of
   floats to integers, floor division and remainder, maximum and minimum, sign, sigmoid,
   softplus and integer powers, one function per dtype (tg_floordiv_i32, tg_cast_f64_ui32...).

   Part of tg_prelude.h, which prelude.py assembles: the Python, NumPy, libm, OpenMP and CBLAS
   headers come first. Each family is a macro that defines its functions for one type; the
   lines after it define them for every type of the family. */

/* exact comparison of a signed and an unsigned 64-bit integer: -1, 0 or 1 */
static inline int tg_cmp_i64_u64(npy_int64 a, npy_uint64 b) {
    if (a < 0) return -1;
    return (npy_uint64)a < b ? -1 : ((npy_uint64)a > b ? 1 : 0);
}

/* tg.cast of a float to an integer, as x86-64 NumPy's astype of a contiguous array (see tg.cast):
   toward zero where the value fits the x86 conversion's range, else the x86 "integer
   indefinite" (the range's most negative integer), NaN and infinities included. C leaves a
   conversion out of range undefined (GCC folds (double)(int)x into trunc(x), for one), so each
   is a range check, |x| < 2**31 (2**63), and a select before a conversion that is defined
   (-2**31 down to -2**31 - 1 truncate to the indefinite anyway). int32: the select is of bit
   patterns (x or -2**31), which vectorizes at the floats' width; a select of values GCC moves
   past the conversion and narrows its mask with the result (twice the cost for uint8). int8,
   int16, uint8 and uint16 wrap the int32 conversion (the caller narrows it). uint32 converts
   x - 2**31 from 2**31 up and flips the top bit, as compilers do (and NumPy's vector loop):
   [2**31, 2**32) exactly, 0 from 2**32 up (inf too), the int32 conversion wrapped below (NaN:
   2**31). uint64: [2**63, 2**64) exactly, 0 from 2**64 up, else the int64 conversion
   wrapped (NaN: 2**63).

   S: the dtype's suffix; T: its C type; U: the unsigned integer of its width; F: the suffix of
   its libm functions (empty for double, f for float); MINUS_2_31: the bit pattern of -2**31 as
   a T. */
#define TG_CAST_HELPERS(S, T, U, F, MINUS_2_31)                                                    \
    static inline npy_int32 tg_cast_##S##_i32(T x) {                                               \
        U bits;                                                                                    \
        const U keep = (U)0 - (U)(fabs##F(x) < (T)0x1p31);                                         \
        memcpy(&bits, &x, sizeof bits);                                                            \
        bits = (bits & keep) | (MINUS_2_31 & ~keep);                                               \
        memcpy(&x, &bits, sizeof x);                                                               \
        return (npy_int32)x;                                                                       \
    }                                                                                              \
    static inline npy_int64 tg_cast_##S##_i64(T x) {                                               \
        return fabs##F(x) < (T)0x1p63 ? (npy_int64)x : NPY_MIN_INT64;                              \
    }                                                                                              \
    static inline npy_uint32 tg_cast_##S##_ui32(T x) {                                             \
        const int high = x >= (T)0x1p31;                                                           \
        return (npy_uint32)tg_cast_##S##_i32(high ? x - (T)0x1p31 : x)                             \
               ^ (high ? 0x80000000u : 0u);                                                        \
    }                                                                                              \
    static inline npy_uint64 tg_cast_##S##_ui64(T x) {                                             \
        if (!(x >= (T)0x1p63)) return (npy_uint64)tg_cast_##S##_i64(x);                            \
        return x < (T)0x1p64 ? (npy_uint64)x : 0;                                                  \
    }

TG_CAST_HELPERS(f64, npy_float64, npy_uint64, , 0xC1E0000000000000ULL)
TG_CAST_HELPERS(f32, npy_float32, npy_uint32, f, 0xCF000000ULL)

/* Floats. NumPy's floor division and remainder (npy_divmod); NumPy's maximum and minimum (NaN
   propagates; of equal operands, -0.0 and 0.0, b); sign; the reference's sigmoid (exact where
   each branch is taken: exp(-|x|) is exp(-x) for x >= 0 and exp(x) below) and softplus
   (NumPy's logaddexp(0, x)), written without branches so that loops over them vectorize (both
   sides are computed, one is kept). Powers: libm's pow, but an exponent of 0.5 is sqrt with
   pow's values at -0 (+0, where sqrt gives -0) and -inf (+inf, where sqrt gives NaN): GCC's
   vectorizer turns pow(x, 0.5) into sqrt(x) in the vector body of a loop (whatever the flags)
   and leaves pow in its scalar remainder, so one array held both; elsewhere the two agree
   (checked: every float32 of [1, 4), all mantissas of both exponent parities, and 2e7
   float64). S, T, F: as for TG_CAST_HELPERS. */
#define TG_FLOAT_HELPERS(S, T, F)                                                                  \
    static inline T tg_divmod_##S(T a, T b, T *modulus) {                                          \
        T mod = fmod##F(a, b);                                                                     \
        T div;                                                                                     \
        T floordiv;                                                                                \
        if (!b) { *modulus = mod; return a / b; }                                                  \
        div = (a - mod) / b;                                                                       \
        if (mod) {                                                                                 \
            if (isless(b, 0) != isless(mod, 0)) { mod += b; div -= (T)1; }                         \
        } else {                                                                                   \
            mod = copysign##F((T)0, b);                                                            \
        }                                                                                          \
        if (div) {                                                                                 \
            floordiv = floor##F(div);                                                              \
            if (isgreater(div - floordiv, (T)0.5)) floordiv += (T)1;                               \
        } else {                                                                                   \
            floordiv = copysign##F((T)0, a / b);                                                   \
        }                                                                                          \
        *modulus = mod;                                                                            \
        return floordiv;                                                                           \
    }                                                                                              \
    static inline T tg_floordiv_##S(T a, T b) {                                                    \
        T mod;                                                                                     \
        if (!b) return a / b;                                                                      \
        return tg_divmod_##S(a, b, &mod);                                                          \
    }                                                                                              \
    static inline T tg_mod_##S(T a, T b) {                                                         \
        T mod;                                                                                     \
        if (!b) return fmod##F(a, b);                                                              \
        tg_divmod_##S(a, b, &mod);                                                                 \
        return mod;                                                                                \
    }                                                                                              \
    static inline T tg_maximum_##S(T a, T b) { return (a > b || isnan(a)) ? a : b; }               \
    static inline T tg_minimum_##S(T a, T b) { return (a < b || isnan(a)) ? a : b; }               \
    static inline T tg_sign_##S(T x) {                                                             \
        return x > 0 ? (T)1 : (x < 0 ? (T)-1 : (x == 0 ? (T)0 : x));                               \
    }                                                                                              \
    static inline T tg_sigmoid_##S(T x) {                                                          \
        const T e = exp##F(-fabs##F(x));                                                           \
        const T positive = (T)1 / ((T)1 + e);                                                      \
        const T negative = e / ((T)1 + e);                                                         \
        return x >= 0 ? positive : negative;                                                       \
    }                                                                                              \
    static inline T tg_softplus_##S(T x) {                                                         \
        const T tail = log1p##F(exp##F(-fabs##F(x)));                                              \
        return x > 0 ? x + tail : tail;                                                            \
    }                                                                                              \
    static inline T tg_pow_##S(T a, T b) {                                                         \
        if (b == (T)0.5) return a == -(T)INFINITY ? (T)INFINITY : sqrt##F(a) + (T)0;               \
        return pow##F(a, b);                                                                       \
    }

TG_FLOAT_HELPERS(f64, npy_float64, )
TG_FLOAT_HELPERS(f32, npy_float32, f)

/* Signed integers. NumPy's floor division and remainder: by 0 they give 0; MIN // -1 wraps.
   Integer powers by squaring, wrapping; a negative exponent is an error, as in NumPy. S: the
   dtype's suffix; T: its C type; U: the unsigned integer of its width. */
#define TG_SIGNED_HELPERS(S, T, U)                                                                 \
    static inline T tg_floordiv_##S(T a, T b) {                                                    \
        T q;                                                                                       \
        if (b == 0) return 0;                                                                      \
        if (b == -1) return (T)(0 - (U)a);                                                         \
        q = a / b;                                                                                 \
        if ((a % b != 0) && ((a < 0) != (b < 0))) q -= 1;                                          \
        return q;                                                                                  \
    }                                                                                              \
    static inline T tg_mod_##S(T a, T b) {                                                         \
        T r;                                                                                       \
        if (b == 0 || b == -1) return 0;                                                           \
        r = a % b;                                                                                 \
        if (r != 0 && ((r < 0) != (b < 0))) r += b;                                                \
        return r;                                                                                  \
    }                                                                                              \
    static inline T tg_maximum_##S(T a, T b) { return a >= b ? a : b; }                            \
    static inline T tg_minimum_##S(T a, T b) { return a <= b ? a : b; }                            \
    static inline T tg_pow_##S(T a, T b, int *error) {                                             \
        U result = 1, base = (U)a;                                                                 \
        if (b < 0) { *error = 1; return 0; }                                                       \
        while (b) { if (b & 1) result *= base; base *= base; b >>= 1; }                            \
        return (T)result;                                                                          \
    }

/* Unsigned integers: as the signed ones, without negative operands. S: the dtype's suffix; T:
   its C type. */
#define TG_UNSIGNED_HELPERS(S, T)                                                                  \
    static inline T tg_floordiv_##S(T a, T b) { return b == 0 ? 0 : a / b; }                       \
    static inline T tg_mod_##S(T a, T b) { return b == 0 ? 0 : a % b; }                            \
    static inline T tg_maximum_##S(T a, T b) { return a >= b ? a : b; }                            \
    static inline T tg_minimum_##S(T a, T b) { return a <= b ? a : b; }                            \
    static inline T tg_pow_##S(T a, T b, int *error) {                                             \
        T result = 1, base = a;                                                                    \
        (void)error;                                                                               \
        while (b) { if (b & 1) result *= base; base *= base; b >>= 1; }                            \
        return result;                                                                             \
    }

TG_SIGNED_HELPERS(i8, npy_int8, npy_uint8)
TG_UNSIGNED_HELPERS(ui8, npy_uint8)
TG_SIGNED_HELPERS(i16, npy_int16, npy_uint16)
TG_UNSIGNED_HELPERS(ui16, npy_uint16)
TG_SIGNED_HELPERS(i32, npy_int32, npy_uint32)
TG_UNSIGNED_HELPERS(ui32, npy_uint32)
TG_SIGNED_HELPERS(i64, npy_int64, npy_uint64)
TG_UNSIGNED_HELPERS(ui64, npy_uint64)
