/*
 * Earshot log-mel features in C99: the twin of src/core/dsp/log-mel.ts, bit for bit.
 *
 * Needs, defined before this text (c-features.ts emits them): EARSHOT_SAMPLE_RATE_HZ,
 * EARSHOT_INPUT_SAMPLES, EARSHOT_WINDOW_SAMPLES, EARSHOT_HOP_SAMPLES, EARSHOT_FRAMES,
 * EARSHOT_FFT_SIZE, EARSHOT_MEL_BANDS, EARSHOT_FEATURE_COUNT, EARSHOT_LOG_FLOOR, the tables
 * earshot_window, earshot_fft_cos, earshot_fft_sin, earshot_fft_bitrev, earshot_mel_start,
 * earshot_mel_length, earshot_mel_offset, earshot_mel_weights, EARSHOT_RELATIVE_FLOOR (0.0f =
 * off), EARSHOT_BAND_MEAN_REMOVAL (0/1), EARSHOT_NORMALIZE (either is on), and
 * EARSHOT_INPUT_INV_SCALE, EARSHOT_INPUT_ZERO_POINT for the int8 features.
 *
 * Every operation is a single IEEE float32 operation in the same order as the TypeScript, so
 * results are identical as long as the compiler does not fuse a*b+c into one FMA: the code
 * below turns contraction off (GCC: optimize pragma; clang: STDC FP_CONTRACT in each body).
 * No libm, no malloc; static work buffers (not reentrant).
 */
#include <stdint.h>
#include <string.h>

#if defined(__clang__)
#define EARSHOT_NO_CONTRACT _Pragma("STDC FP_CONTRACT OFF")
#else
#define EARSHOT_NO_CONTRACT
#endif

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif

static float earshot_frame_buf[EARSHOT_FFT_SIZE];
static float earshot_power_buf[EARSHOT_FFT_SIZE / 2 + 1];
static float earshot_fft_re[EARSHOT_FFT_SIZE / 2];
static float earshot_fft_im[EARSHOT_FFT_SIZE / 2];
#if EARSHOT_NORMALIZE
/* Per-clip normalisation needs the whole window before the first int8 value. */
static float earshot_window_buf[EARSHOT_FEATURE_COUNT];
#else
static float earshot_band_buf[EARSHOT_MEL_BANDS];
#endif

/* Natural log of a positive normal float (x >= 2^-126; the log floor guarantees it).
 * x = m * 2^k, m in [sqrt(1/2), sqrt(2)); s = (m-1)/(m+1); ln m = 2 atanh(s) by a short odd
 * polynomial; ln x = k ln2 + ln m, with ln2 split in a high part exact for small k and a low part.
 * Constants: ln2_hi = 0.693359375, ln2_lo = float(ln2 - ln2_hi), c_i = float(2/(2i+1)). */
static inline float earshot_logf(float x)
{
    EARSHOT_NO_CONTRACT
    uint32_t bits;
    int32_t k;
    uint32_t mant;
    float m, num, den, s, z, poly, lnm, kf;
    memcpy(&bits, &x, sizeof bits);
    k = (int32_t)((bits >> 23) & 0xffu) - 127;
    mant = bits & 0x7fffffu;
    if (mant > 0x3504f3u) {
        bits = mant | 0x3f000000u;
        k += 1;
    } else {
        bits = mant | 0x3f800000u;
    }
    memcpy(&m, &bits, sizeof m);
    num = m - 1.0f;
    den = m + 1.0f;
    s = num / den;
    z = s * s;
    poly = z * (0.666666687f + z * (0.400000006f + z * (0.285714298f + z * (0.222222224f + z * 0.181818187f))));
    lnm = (s + s) + s * poly;
    kf = (float)k;
    return kf * 0.693359375f + (kf * -0.000212194442f + lnm);
}

/* |RFFT(in)[k]|^2, k = 0..N/2, N = EARSHOT_FFT_SIZE: complex radix-2 FFT of size N/2 over
 * z[m] = in[2m] + i in[2m+1], then the split step. Same operations as src/core/dsp/fft.ts. */
static inline void earshot_power_spectrum(const float *in, float *out)
{
    EARSHOT_NO_CONTRACT
    const int n = EARSHOT_FFT_SIZE;
    const int half = EARSHOT_FFT_SIZE / 2;
    float *re = earshot_fft_re;
    float *im = earshot_fft_im;
    int m, h, start, j, k;
    float r0, i0, d;
    for (m = 0; m < half; m++) {
        int r = (int)earshot_fft_bitrev[m];
        re[r] = in[2 * m];
        im[r] = in[2 * m + 1];
    }
    for (h = 1; h < half; h <<= 1) {
        int stride = n / (2 * h);
        for (start = 0; start < half; start += 2 * h) {
            for (j = 0; j < h; j++) {
                int a = start + j;
                int b = a + h;
                float c = earshot_fft_cos[j * stride];
                float s = earshot_fft_sin[j * stride];
                float br = re[b];
                float bi = im[b];
                float tr = br * c + bi * s;
                float ti = bi * c - br * s;
                float ar = re[a];
                float ai = im[a];
                re[b] = ar - tr;
                im[b] = ai - ti;
                re[a] = ar + tr;
                im[a] = ai + ti;
            }
        }
    }
    r0 = re[0];
    i0 = im[0];
    d = r0 + i0;
    out[0] = d * d;
    d = r0 - i0;
    out[half] = d * d;
    for (k = 1; k < half; k++) {
        float zr = re[k];
        float zi = im[k];
        float yr = re[half - k];
        float yi = im[half - k];
        float er = (zr + yr) * 0.5f;
        float ei = (zi - yi) * 0.5f;
        float or_ = (zi + yi) * 0.5f;
        float oi = (yr - zr) * 0.5f;
        float c = earshot_fft_cos[k];
        float s = earshot_fft_sin[k];
        float xr = er + (c * or_ + s * oi);
        float xi = ei + (c * oi - s * or_);
        out[k] = xr * xr + xi * xi;
    }
}

/* Log-mel of frame `frame` (0 <= frame < EARSHOT_FRAMES) into out[EARSHOT_MEL_BANDS]. */
static inline void earshot_logmel_frame(const int16_t *pcm, int frame, float *out)
{
    EARSHOT_NO_CONTRACT
    const int16_t *x = pcm + frame * EARSHOT_HOP_SAMPLES;
    int i, b;
    for (i = 0; i < EARSHOT_WINDOW_SAMPLES; i++) {
        earshot_frame_buf[i] = ((float)x[i] * 3.0517578125e-05f) * earshot_window[i];
    }
    for (i = EARSHOT_WINDOW_SAMPLES; i < EARSHOT_FFT_SIZE; i++) {
        earshot_frame_buf[i] = 0.0f;
    }
    earshot_power_spectrum(earshot_frame_buf, earshot_power_buf);
    for (b = 0; b < EARSHOT_MEL_BANDS; b++) {
        const float *p = earshot_power_buf + earshot_mel_start[b];
        const float *w = earshot_mel_weights + earshot_mel_offset[b];
        int len = (int)earshot_mel_length[b];
        float acc = 0.0f;
        for (i = 0; i < len; i++) {
            acc = acc + w[i] * p[i];
        }
        out[b] = earshot_logf(acc < EARSHOT_LOG_FLOOR ? EARSHOT_LOG_FLOOR : acc);
    }
}

/* The per-clip normalisation, in place on out[EARSHOT_FEATURE_COUNT]: the relative floor
 * (values below max - EARSHOT_RELATIVE_FLOOR raised to it), then each band's mean over the
 * frames subtracted. Same order as normalizeFrames in src/core/dsp/log-mel.ts. */
#if EARSHOT_NORMALIZE
static inline void earshot_normalize(float *out)
{
    EARSHOT_NO_CONTRACT
    int i, f, b;
    (void)i;
    (void)f;
    (void)b;
#if EARSHOT_RELATIVE_FLOOR_ON
    {
        float m = out[0];
        float lo;
        for (i = 1; i < EARSHOT_FEATURE_COUNT; i++) {
            if (out[i] > m) {
                m = out[i];
            }
        }
        lo = m - EARSHOT_RELATIVE_FLOOR;
        for (i = 0; i < EARSHOT_FEATURE_COUNT; i++) {
            if (out[i] < lo) {
                out[i] = lo;
            }
        }
    }
#endif
#if EARSHOT_BAND_MEAN_REMOVAL
    for (b = 0; b < EARSHOT_MEL_BANDS; b++) {
        float acc = 0.0f;
        float mean;
        for (f = 0; f < EARSHOT_FRAMES; f++) {
            acc = acc + out[f * EARSHOT_MEL_BANDS + b];
        }
        mean = acc / (float)EARSHOT_FRAMES;
        for (f = 0; f < EARSHOT_FRAMES; f++) {
            out[f * EARSHOT_MEL_BANDS + b] = out[f * EARSHOT_MEL_BANDS + b] - mean;
        }
    }
#endif
}
#endif

/* Float log-mel of EARSHOT_INPUT_SAMPLES PCM samples into out[EARSHOT_FEATURE_COUNT]
 * (row-major frames x bands), normalised as the config asks. Returns 0. */
static inline int earshot_logmel(const int16_t *pcm, float *out)
{
    int f;
    for (f = 0; f < EARSHOT_FRAMES; f++) {
        earshot_logmel_frame(pcm, f, out + f * EARSHOT_MEL_BANDS);
    }
#if EARSHOT_NORMALIZE
    earshot_normalize(out);
#endif
    return 0;
}

/* int8 of one feature value: clamp(floor(x * inv + 0.5) + zero_point, -128, 127) in float32. */
static inline int8_t earshot_quantize_feature(float x)
{
    EARSHOT_NO_CONTRACT
    float t = x * EARSHOT_INPUT_INV_SCALE;
    float u = t + 0.5f;
    int32_t q;
    /* Clamping u to +-512 first keeps the int conversion defined and cannot change the
     * final clamped value, since |zero_point| <= 128. */
    if (u < -512.0f) {
        u = -512.0f;
    } else if (u > 512.0f) {
        u = 512.0f;
    }
    q = (int32_t)u;
    if ((float)q > u) {
        q -= 1;
    }
    q += EARSHOT_INPUT_ZERO_POINT;
    return (int8_t)(q < -128 ? -128 : (q > 127 ? 127 : q));
}

/* int8 model input of EARSHOT_INPUT_SAMPLES PCM samples into features[EARSHOT_FEATURE_COUNT],
 * as quantizeFeatures in src/core/dsp/log-mel.ts. Returns 0. */
static inline int earshot_features(const int16_t *pcm, int8_t *features)
{
#if EARSHOT_NORMALIZE
    int i;
    earshot_logmel(pcm, earshot_window_buf);
    for (i = 0; i < EARSHOT_FEATURE_COUNT; i++) {
        features[i] = earshot_quantize_feature(earshot_window_buf[i]);
    }
#else
    int f, b;
    for (f = 0; f < EARSHOT_FRAMES; f++) {
        earshot_logmel_frame(pcm, f, earshot_band_buf);
        for (b = 0; b < EARSHOT_MEL_BANDS; b++) {
            features[f * EARSHOT_MEL_BANDS + b] = earshot_quantize_feature(earshot_band_buf[b]);
        }
    }
#endif
    return 0;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif
