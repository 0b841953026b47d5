/*
 * Earshot int8 kernels (C99): TensorFlow Lite reference_integer_ops semantics, op for op the
 * same arithmetic as src/core/quant/int8-engine.ts (the tests compare them bit for bit).
 * No malloc: every buffer is owned by the caller. Layouts: activations NHWC (batch 1);
 * conv weights OHWI [out_c][kh][kw][in_c]; depthwise weights [kh][kw][in_c * mult]
 * (output channel ic * mult + m); fully connected weights [units][in_depth].
 * Requantization: gemmlowp SaturatingRoundingDoublingHighMul + RoundingDivideByPOT with a
 * Q0.31 multiplier and a shift (> 0: left). Wrapping int32 additions go through uint32_t.
 * The generator renames earshot_ / EARSHOT_ to the chosen prefix.
 *
 * SIMD: on cores with the DSP extension (Cortex-M4, M7, M33, M55: __ARM_FEATURE_DSP) the int8
 * dot products of conv2d and fully connected use the ACLE intrinsics of <arm_acle.h>:
 * __sxtab16 / __sxtb16 widen 4 bytes into two pairs of int16 (x - zero point fits in int16),
 * __smlad multiplies both pairs and adds them to the int32 accumulator. Every step is exact and
 * the int32 sum wraps as the portable one does, so the results are bit-identical (tested under
 * QEMU with SIMD on and off). Define EARSHOT_NO_SIMD to force the portable loops.
 */
#ifndef EARSHOT_KERNELS_H
#define EARSHOT_KERNELS_H

#include <stdint.h>

#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32) && !defined(EARSHOT_NO_SIMD)
#include <arm_acle.h>
#include <string.h>
#define EARSHOT_SIMD 1
#else
#define EARSHOT_SIMD 0
#endif

/* EARSHOT_HOT: always inlined (the requantization arithmetic, SIMD helpers). EARSHOT_OUTLINED: one
 * copy that the kernels call, so that gcc -Os allocates the registers of its loops on their own
 * (`unused`: no warning in a program that calls no kernel). */
#if defined(__GNUC__)
#define EARSHOT_HOT static inline __attribute__((always_inline))
#define EARSHOT_OUTLINED static __attribute__((noinline, unused))
#else
#define EARSHOT_HOT static inline
#define EARSHOT_OUTLINED static inline
#endif

EARSHOT_HOT int32_t earshot_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  /*
   * gemmlowp: (ab + nudge) / 2^31 truncated toward zero, nudge = 2^30 (ab >= 0) or 1 - 2^30 (ab < 0).
   * Both cases equal floor((ab + 2^30) / 2^31): for ab < 0, trunc(v / 2^31) = ceil(v / 2^31)
   * = floor((v + 2^31 - 1) / 2^31) with v = ab + 1 - 2^30. So one add and an arithmetic shift
   * (gcc and arm-none-eabi-gcc shift negative values arithmetically).
   */
  return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

EARSHOT_HOT int32_t earshot_rdbpot(int32_t x, int exponent) {
  int32_t mask;
  int32_t remainder;
  int32_t threshold;
  if (exponent == 0) return x;
  mask = (int32_t)(((int64_t)1 << exponent) - 1);
  remainder = x & mask;
  threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  /* arithmetic right shift of a negative value: gcc and arm-none-eabi-gcc shift arithmetically */
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

static inline int32_t earshot_wrap_add(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}

EARSHOT_HOT int32_t earshot_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
  int left = shift > 0 ? (int)shift : 0;
  int right = shift > 0 ? 0 : (int)-shift;
  return earshot_rdbpot(earshot_srdhm((int32_t)((uint32_t)x << left), multiplier), right);
}

static inline int8_t earshot_clamp_s8(int32_t v, int32_t lo, int32_t hi) {
  return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}


#if EARSHOT_SIMD
/* SXTB16 / SXTAB16 of the word rotated right by 8 (bytes 1 and 3): the instructions' own ROR #8
 * operand where inline assembly is available (gcc, clang, armclang), a separate rotate elsewhere. */
#if defined(__GNUC__)
EARSHOT_HOT int32_t earshot_sxtb16_ror8(uint32_t v) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}
EARSHOT_HOT int32_t earshot_sxtab16_ror8(int32_t a, uint32_t v) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(a), "r"(v));
  return r;
}
#else
EARSHOT_HOT int32_t earshot_sxtb16_ror8(uint32_t v) { return __sxtb16((int32_t)((v >> 8) | (v << 24))); }
EARSHOT_HOT int32_t earshot_sxtab16_ror8(int32_t a, uint32_t v) { return __sxtab16(a, (int32_t)((v >> 8) | (v << 24))); }
#endif
#endif

/* bias, requantization, output zero point and the fused activation of one accumulator */
EARSHOT_OUTLINED int8_t earshot_requant_s8(int32_t acc, int32_t bias, int32_t multiplier, int32_t shift,
                                        int32_t output_zero_point, int32_t act_min, int32_t act_max) {
  acc = earshot_wrap_add(acc, bias);
  return earshot_clamp_s8(earshot_mbqm(acc, multiplier, shift) + output_zero_point, act_min, act_max);
}

/*
 * Two output channels at once, sharing every input load (and its zero-point subtraction):
 *   acc0 = sum over r < rows, i < n of w[r * w_row_stride + i] * (x[r * x_row_stride + i] - zp)
 *   acc1 = the same with the weights w_oc_stride further (w_oc_stride 0: acc1 = acc0).
 * A span of n bytes is one kernel row's valid taps times the input channels, contiguous in NHWC
 * input and in OHWI weights, so no bounds test or index arithmetic runs per tap.
 */
EARSHOT_OUTLINED void earshot_mac2_rows_s8(const int8_t *x, int x_row_stride, const int8_t *w, int w_row_stride,
                                      int w_oc_stride, int rows, int n, int32_t input_zero_point,
                                      int32_t *acc0_out, int32_t *acc1_out) {
  int32_t acc0 = 0;
  int32_t acc1 = 0;
#if EARSHOT_SIMD
  /* -zero point in both int16 lanes: SXTAB16 adds it while widening (x - zp fits in int16) */
  const int32_t offset = (int32_t)(((uint32_t)(uint16_t)(-input_zero_point) << 16) | (uint32_t)(uint16_t)(-input_zero_point));
#endif
  for (; rows > 0; rows--) {
    const int8_t *xp = x;
    const int8_t *wp = w;
    int i = n;
#if EARSHOT_SIMD
    for (; i >= 4; i -= 4) {
      uint32_t xw, w0, w1;
      int32_t xa, xb;
      memcpy(&xw, xp, 4);
      memcpy(&w0, wp, 4);
      memcpy(&w1, wp + w_oc_stride, 4);
      /* lanes (byte 0, byte 2) and (byte 1, byte 3): the same pairing for x and w */
      xa = __sxtab16(offset, (int32_t)xw);
      xb = earshot_sxtab16_ror8(offset, xw);
      acc0 = __smlad(__sxtb16((int32_t)w0), xa, acc0);
      acc0 = __smlad(earshot_sxtb16_ror8(w0), xb, acc0);
      acc1 = __smlad(__sxtb16((int32_t)w1), xa, acc1);
      acc1 = __smlad(earshot_sxtb16_ror8(w1), xb, acc1);
      xp += 4;
      wp += 4;
    }
#else
    for (; i >= 4; i -= 4) {
      const int32_t x0 = (int32_t)xp[0] - input_zero_point;
      const int32_t x1 = (int32_t)xp[1] - input_zero_point;
      const int32_t x2 = (int32_t)xp[2] - input_zero_point;
      const int32_t x3 = (int32_t)xp[3] - input_zero_point;
      const int8_t *wq = wp + w_oc_stride;
      acc0 += (int32_t)wp[0] * x0 + (int32_t)wp[1] * x1 + (int32_t)wp[2] * x2 + (int32_t)wp[3] * x3;
      acc1 += (int32_t)wq[0] * x0 + (int32_t)wq[1] * x1 + (int32_t)wq[2] * x2 + (int32_t)wq[3] * x3;
      xp += 4;
      wp += 4;
    }
#endif
    for (; i > 0; i--) {
      const int32_t xv = (int32_t)*xp++ - input_zero_point;
      acc0 += (int32_t)wp[0] * xv;
      acc1 += (int32_t)wp[w_oc_stride] * xv;
      wp++;
    }
    x += x_row_stride;
    w += w_row_stride;
  }
  *acc0_out = acc0;
  *acc1_out = acc1;
}

/*
 * Per output position the valid kernel rows [ky0, ky1) and columns [kx0, kx1) are computed once
 * (padding never reaches the inner loops); output channels go in pairs (earshot_mac2_rows_s8), an
 * odd last channel as a pair with itself. A 1x1 (pointwise) conv is one span of in_c per channel:
 * a plain int8 GEMM over channels.
 */
static inline void earshot_conv2d_s8(const int8_t *input, int in_h, int in_w, int in_c,
                                     const int8_t *weights, const int32_t *bias,
                                     const int32_t *multipliers, const int32_t *shifts,
                                     int kernel_h, int kernel_w, int stride_h, int stride_w,
                                     int pad_top, int pad_left,
                                     int8_t *output, int out_h, int out_w, int out_c,
                                     int32_t input_zero_point, int32_t output_zero_point,
                                     int32_t act_min, int32_t act_max) {
  const int x_row_stride = in_w * in_c;
  const int w_row_stride = kernel_w * in_c;
  const int w_oc_stride = kernel_h * w_row_stride;
  int oy, ox, oc;
  int8_t *out = output;
  for (oy = 0; oy < out_h; oy++) {
    const int y0 = oy * stride_h - pad_top;
    const int ky0 = y0 < 0 ? -y0 : 0;
    const int ky1 = kernel_h < in_h - y0 ? kernel_h : in_h - y0;
    const int rows = ky1 > ky0 ? ky1 - ky0 : 0;
    for (ox = 0; ox < out_w; ox++) {
      const int x0 = ox * stride_w - pad_left;
      const int kx0 = x0 < 0 ? -x0 : 0;
      const int kx1 = kernel_w < in_w - x0 ? kernel_w : in_w - x0;
      const int n = kx1 > kx0 ? (kx1 - kx0) * in_c : 0;
      const int8_t *x = input + ((y0 + ky0) * in_w + (x0 + kx0)) * in_c;
      const int8_t *w = weights + (ky0 * kernel_w + kx0) * in_c;
      for (oc = 0; oc < out_c; oc += 2) {
        const int pair = oc + 1 < out_c;
        int32_t acc0, acc1;
        earshot_mac2_rows_s8(x, x_row_stride, w, w_row_stride, pair ? w_oc_stride : 0, rows, n, input_zero_point, &acc0, &acc1);
        out[oc] = earshot_requant_s8(acc0, bias[oc], multipliers[oc], shifts[oc], output_zero_point, act_min, act_max);
        if (pair) out[oc + 1] = earshot_requant_s8(acc1, bias[oc + 1], multipliers[oc + 1], shifts[oc + 1], output_zero_point, act_min, act_max);
        w += 2 * w_oc_stride;
      }
      out += out_c;
    }
  }
}

/*
 * Four depthwise output channels of one multiplier index: input channels c..c+3 (adjacent, x steps
 * x_step bytes per kernel column) with weights w_lane bytes apart (the multiplier; w steps w_step):
 *   acc[k] = sum over rows x cols of w[.. + k * w_lane] * (x[.. + k] - zp).
 * The portable loop; called with w_lane 1 or not, so that gcc specialises the common multiplier 1.
 */
EARSHOT_HOT void earshot_dw4_loop_s8(const int8_t *x, const int8_t *w, int x_step, int w_step, int w_lane,
                                     int x_row_stride, int w_row_stride, int rows, int cols,
                                     int32_t input_zero_point, int32_t *acc) {
  int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
  for (; rows > 0; rows--) {
    const int8_t *xp = x;
    const int8_t *wp = w;
    int k;
    for (k = cols; k > 0; k--) {
      acc0 += (int32_t)wp[0] * ((int32_t)xp[0] - input_zero_point);
      acc1 += (int32_t)wp[w_lane] * ((int32_t)xp[1] - input_zero_point);
      acc2 += (int32_t)wp[2 * w_lane] * ((int32_t)xp[2] - input_zero_point);
      acc3 += (int32_t)wp[3 * w_lane] * ((int32_t)xp[3] - input_zero_point);
      xp += x_step;
      wp += w_step;
    }
    x += x_row_stride;
    w += w_row_stride;
  }
  acc[0] = acc0;
  acc[1] = acc1;
  acc[2] = acc2;
  acc[3] = acc3;
}

/* earshot_dw4_loop_s8; with SIMD and multiplier 1 one 32-bit load of input and of weights per tap. */
EARSHOT_OUTLINED void earshot_dw4_s8(const int8_t *x, const int8_t *w, int x_step, int w_step, int w_lane,
                                     int x_row_stride, int w_row_stride, int rows, int cols,
                                     int32_t input_zero_point, int32_t *acc) {
  if (w_lane != 1) {
    earshot_dw4_loop_s8(x, w, x_step, w_step, w_lane, x_row_stride, w_row_stride, rows, cols, input_zero_point, acc);
  } else {
#if EARSHOT_SIMD
    int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
    const int32_t offset = (int32_t)(((uint32_t)(uint16_t)(-input_zero_point) << 16) | (uint32_t)(uint16_t)(-input_zero_point));
    for (; rows > 0; rows--) {
      const int8_t *xp = x;
      const int8_t *wp = w;
      int k;
      for (k = cols; k > 0; k--) {
        uint32_t xw, ww;
        int32_t xa, xb, wa, wb;
        memcpy(&xw, xp, 4);
        memcpy(&ww, wp, 4);
        xa = __sxtab16(offset, (int32_t)xw); /* channels 0 (bottom) and 2 (top), minus zp */
        xb = earshot_sxtab16_ror8(offset, xw); /* channels 1 and 3 */
        wa = __sxtb16((int32_t)ww);
        wb = earshot_sxtb16_ror8(ww);
        acc0 = __smlabb(wa, xa, acc0);
        acc2 = __smlatt(wa, xa, acc2);
        acc1 = __smlabb(wb, xb, acc1);
        acc3 = __smlatt(wb, xb, acc3);
        xp += x_step;
        wp += w_step;
      }
      x += x_row_stride;
      w += w_row_stride;
    }
    acc[0] = acc0;
    acc[1] = acc1;
    acc[2] = acc2;
    acc[3] = acc3;
#else
    earshot_dw4_loop_s8(x, w, x_step, w_step, 1, x_row_stride, w_row_stride, rows, cols, input_zero_point, acc);
#endif
  }
}

/*
 * Valid kernel rows and columns once per output position. Per multiplier index m, four input
 * channels at a time (earshot_dw4_s8: four accumulators; with multiplier 1 and SIMD one 32-bit load
 * of input and weights per tap), the last in_c % 4 channels one at a time.
 */
static inline void earshot_depthwise_conv2d_s8(const int8_t *input, int in_h, int in_w, int in_c,
                                               const int8_t *weights, const int32_t *bias,
                                               const int32_t *multipliers, const int32_t *shifts,
                                               int kernel_h, int kernel_w, int stride_h, int stride_w,
                                               int pad_top, int pad_left, int depth_multiplier,
                                               int8_t *output, int out_h, int out_w,
                                               int32_t input_zero_point, int32_t output_zero_point,
                                               int32_t act_min, int32_t act_max) {
  const int out_c = in_c * depth_multiplier;
  const int x_row_stride = in_w * in_c;
  const int w_row_stride = kernel_w * out_c;
  const int in_c4 = in_c - in_c % 4;
  int oy, ox, ic, m, ky, kx;
  int8_t *out = output;
  for (oy = 0; oy < out_h; oy++) {
    const int y0 = oy * stride_h - pad_top;
    const int ky0 = y0 < 0 ? -y0 : 0;
    const int ky1 = kernel_h < in_h - y0 ? kernel_h : in_h - y0;
    for (ox = 0; ox < out_w; ox++) {
      const int x0 = ox * stride_w - pad_left;
      const int kx0 = x0 < 0 ? -x0 : 0;
      const int kx1 = kernel_w < in_w - x0 ? kernel_w : in_w - x0;
      const int8_t *x = input + ((y0 + ky0) * in_w + (x0 + kx0)) * in_c;
      const int8_t *w = weights + (ky0 * kernel_w + kx0) * out_c;
      for (m = 0; m < depth_multiplier; m++) {
        int c;
        for (c = 0; c < in_c4; c += 4) {
          int32_t acc[4];
          earshot_dw4_s8(x + c, w + c * depth_multiplier + m, in_c, out_c, depth_multiplier, x_row_stride, w_row_stride,
                         ky1 - ky0, kx1 - kx0, input_zero_point, acc);
          for (ic = 0; ic < 4; ic++) {
            const int oc = (c + ic) * depth_multiplier + m;
            out[oc] = earshot_requant_s8(acc[ic], bias[oc], multipliers[oc], shifts[oc], output_zero_point, act_min, act_max);
          }
        }
        for (ic = in_c4; ic < in_c; ic++) {
          const int oc = ic * depth_multiplier + m;
          int32_t acc = 0;
          const int8_t *xr = x + ic;
          const int8_t *wr = w + oc;
          for (ky = ky0; ky < ky1; ky++) {
            const int8_t *xp = xr;
            const int8_t *wp = wr;
            for (kx = kx0; kx < kx1; kx++) {
              acc += (int32_t)*wp * ((int32_t)*xp - input_zero_point);
              xp += in_c;
              wp += out_c;
            }
            xr += x_row_stride;
            wr += w_row_stride;
          }
          out[oc] = earshot_requant_s8(acc, bias[oc], multipliers[oc], shifts[oc], output_zero_point, act_min, act_max);
        }
      }
      out += out_c;
    }
  }
}

/* Units in pairs sharing the input loads (earshot_mac2_rows_s8 with one span of in_depth). */
static inline void earshot_fully_connected_s8(const int8_t *input, int batches, int in_depth,
                                              const int8_t *weights, const int32_t *bias,
                                              const int32_t *multipliers, const int32_t *shifts,
                                              int8_t *output, int units,
                                              int32_t input_zero_point, int32_t output_zero_point,
                                              int32_t act_min, int32_t act_max) {
  int b, u;
  for (b = 0; b < batches; b++) {
    const int8_t *x = input + b * in_depth;
    int8_t *out = output + b * units;
    for (u = 0; u < units; u += 2) {
      const int pair = u + 1 < units;
      int32_t acc0, acc1;
      earshot_mac2_rows_s8(x, 0, weights + u * in_depth, 0, pair ? in_depth : 0, 1, in_depth, input_zero_point, &acc0, &acc1);
      out[u] = earshot_requant_s8(acc0, bias[u], multipliers[u], shifts[u], output_zero_point, act_min, act_max);
      if (pair) out[u + 1] = earshot_requant_s8(acc1, bias[u + 1], multipliers[u + 1], shifts[u + 1], output_zero_point, act_min, act_max);
    }
  }
}

/* Shared by max and average pooling: the in-bounds part of each window (TFLite filter_*_start/end). */
static inline void earshot_pool_s8(const int8_t *input, int in_h, int in_w, int channels,
                                   int filter_h, int filter_w, int stride_h, int stride_w,
                                   int pad_top, int pad_left, int is_max,
                                   int8_t *output, int out_h, int out_w,
                                   int32_t act_min, int32_t act_max) {
  int oy, ox, c, fy, fx;
  for (oy = 0; oy < out_h; oy++) {
    for (ox = 0; ox < out_w; ox++) {
      const int y0 = oy * stride_h - pad_top;
      const int x0 = ox * stride_w - pad_left;
      const int fy0 = y0 < 0 ? -y0 : 0;
      const int fy1 = filter_h < in_h - y0 ? filter_h : in_h - y0;
      const int fx0 = x0 < 0 ? -x0 : 0;
      const int fx1 = filter_w < in_w - x0 ? filter_w : in_w - x0;
      for (c = 0; c < channels; c++) {
        int32_t acc = is_max ? -128 : 0;
        int32_t count = 0;
        for (fy = fy0; fy < fy1; fy++) {
          for (fx = fx0; fx < fx1; fx++) {
            const int32_t v = input[((y0 + fy) * in_w + (x0 + fx)) * channels + c];
            if (is_max) acc = v > acc ? v : acc;
            else acc += v;
            count++;
          }
        }
        if (!is_max && count > 0) {
          /* TFLite: rounded division, half away from zero */
          acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
        }
        output[(oy * out_w + ox) * channels + c] = earshot_clamp_s8(acc, act_min, act_max);
      }
    }
  }
}

static inline void earshot_max_pool_s8(const int8_t *input, int in_h, int in_w, int channels,
                                       int filter_h, int filter_w, int stride_h, int stride_w,
                                       int pad_top, int pad_left,
                                       int8_t *output, int out_h, int out_w,
                                       int32_t act_min, int32_t act_max) {
  earshot_pool_s8(input, in_h, in_w, channels, filter_h, filter_w, stride_h, stride_w, pad_top, pad_left, 1,
                  output, out_h, out_w, act_min, act_max);
}

static inline void earshot_avg_pool_s8(const int8_t *input, int in_h, int in_w, int channels,
                                       int filter_h, int filter_w, int stride_h, int stride_w,
                                       int pad_top, int pad_left,
                                       int8_t *output, int out_h, int out_w,
                                       int32_t act_min, int32_t act_max) {
  earshot_pool_s8(input, in_h, in_w, channels, filter_h, filter_w, stride_h, stride_w, pad_top, pad_left, 0,
                  output, out_h, out_w, act_min, act_max);
}

/* TFLite int8 ADD: inputs shifted left by left_shift (20), rescaled, summed, rescaled. */
static inline void earshot_add_s8(const int8_t *input1, const int8_t *input2, int8_t *output, int size,
                                  int32_t input1_zero_point, int32_t input2_zero_point, int32_t output_zero_point,
                                  int left_shift,
                                  int32_t input1_multiplier, int32_t input1_shift,
                                  int32_t input2_multiplier, int32_t input2_shift,
                                  int32_t output_multiplier, int32_t output_shift,
                                  int32_t act_min, int32_t act_max) {
  int i;
  for (i = 0; i < size; i++) {
    const int32_t a = (int32_t)((uint32_t)((int32_t)input1[i] - input1_zero_point) << left_shift);
    const int32_t b = (int32_t)((uint32_t)((int32_t)input2[i] - input2_zero_point) << left_shift);
    const int32_t sa = earshot_mbqm(a, input1_multiplier, input1_shift);
    const int32_t sb = earshot_mbqm(b, input2_multiplier, input2_shift);
    const int32_t raw = earshot_mbqm(earshot_wrap_add(sa, sb), output_multiplier, output_shift) + output_zero_point;
    output[i] = earshot_clamp_s8(raw, act_min, act_max);
  }
}

#endif /* EARSHOT_KERNELS_H */
