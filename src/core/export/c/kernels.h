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

static inline int32_t earshot_srdhm(int32_t a, int32_t b) {
  int64_t ab;
  int64_t nudge;
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  ab = (int64_t)a * (int64_t)b;
  nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
  /* C99 division truncates toward zero, as gemmlowp requires */
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

static inline int32_t earshot_rdbpot(int32_t x, int exponent) {
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

static inline int32_t earshot_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
  int left = shift > 0 ? (int)shift : 0;
  int right = shift > 0 ? 0 : (int)-shift;
  return earshot_rdbpot(earshot_srdhm((int32_t)((uint32_t)x << left), multiplier), right);
}

static inline int8_t earshot_clamp_s8(int32_t v, int32_t lo, int32_t hi) {
  return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}

/* acc + sum over i < n of w[i] * (x[i] - input_zero_point) */
static inline int32_t earshot_dot_s8(const int8_t *w, const int8_t *x, int n, int32_t input_zero_point, int32_t acc) {
  int i = 0;
#if EARSHOT_SIMD
  /* -zero point in both int16 lanes */
  const int32_t offset = (int32_t)(((uint32_t)(uint16_t)(-input_zero_point) << 16) | (uint32_t)(uint16_t)(-input_zero_point));
  for (; i + 4 <= n; i += 4) {
    uint32_t xw, ww;
    memcpy(&xw, x + i, 4);
    memcpy(&ww, w + i, 4);
    /* lanes (byte 0, byte 2) and (byte 1, byte 3) of both words: the pairing is the same for x and w */
    acc = __smlad(__sxtb16((int32_t)ww), __sxtab16(offset, (int32_t)xw), acc);
    acc = __smlad(__sxtb16((int32_t)((ww >> 8) | (ww << 24))), __sxtab16(offset, (int32_t)((xw >> 8) | (xw << 24))), acc);
  }
#endif
  for (; i < n; i++) acc += (int32_t)w[i] * ((int32_t)x[i] - input_zero_point);
  return acc;
}

static inline void earshot_conv2d_s8(const int8_t *input, int in_h, int in_w, int in_c,
                                     const int8_t *weights, const int32_t *bias,
                                     const int32_t *multipliers, const int32_t *shifts,
                                     int kernel_h, int kernel_w, int stride_h, int stride_w,
                                     int pad_top, int pad_left,
                                     int8_t *output, int out_h, int out_w, int out_c,
                                     int32_t input_zero_point, int32_t output_zero_point,
                                     int32_t act_min, int32_t act_max) {
  int oy, ox, oc, ky, kx;
  for (oy = 0; oy < out_h; oy++) {
    for (ox = 0; ox < out_w; ox++) {
      for (oc = 0; oc < out_c; oc++) {
        int32_t acc = 0;
        for (ky = 0; ky < kernel_h; ky++) {
          const int iy = oy * stride_h - pad_top + ky;
          if (iy < 0 || iy >= in_h) continue;
          for (kx = 0; kx < kernel_w; kx++) {
            const int ix = ox * stride_w - pad_left + kx;
            if (ix < 0 || ix >= in_w) continue;
            acc = earshot_dot_s8(weights + ((oc * kernel_h + ky) * kernel_w + kx) * in_c, input + (iy * in_w + ix) * in_c,
                                 in_c, input_zero_point, acc);
          }
        }
        acc = earshot_wrap_add(acc, bias[oc]);
        acc = earshot_mbqm(acc, multipliers[oc], shifts[oc]) + output_zero_point;
        output[(oy * out_w + ox) * out_c + oc] = earshot_clamp_s8(acc, act_min, act_max);
      }
    }
  }
}

static inline void earshot_depthwise_conv2d_s8(const int8_t *input, int in_h, int in_w, int in_c,
                                               const int8_t *weights, const int32_t *bias,
                                               const int32_t *multipliers, const int32_t *shifts,
                                               int kernel_h, int kernel_w, int stride_h, int stride_w,
                                               int pad_top, int pad_left, int depth_multiplier,
                                               int8_t *output, int out_h, int out_w,
                                               int32_t input_zero_point, int32_t output_zero_point,
                                               int32_t act_min, int32_t act_max) {
  const int out_c = in_c * depth_multiplier;
  int oy, ox, ic, m, ky, kx;
  for (oy = 0; oy < out_h; oy++) {
    for (ox = 0; ox < out_w; ox++) {
      for (ic = 0; ic < in_c; ic++) {
        for (m = 0; m < depth_multiplier; m++) {
          const int oc = ic * depth_multiplier + m;
          int32_t acc = 0;
          for (ky = 0; ky < kernel_h; ky++) {
            const int iy = oy * stride_h - pad_top + ky;
            if (iy < 0 || iy >= in_h) continue;
            for (kx = 0; kx < kernel_w; kx++) {
              const int ix = ox * stride_w - pad_left + kx;
              if (ix < 0 || ix >= in_w) continue;
              acc += (int32_t)weights[(ky * kernel_w + kx) * out_c + oc] *
                     ((int32_t)input[(iy * in_w + ix) * in_c + ic] - input_zero_point);
            }
          }
          acc = earshot_wrap_add(acc, bias[oc]);
          acc = earshot_mbqm(acc, multipliers[oc], shifts[oc]) + output_zero_point;
          output[(oy * out_w + ox) * out_c + oc] = earshot_clamp_s8(acc, act_min, act_max);
        }
      }
    }
  }
}

static inline void earshot_fully_connected_s8(const int8_t *input, int batches, int in_depth,
                                              const int8_t *weights, const int32_t *bias,
                                              const int32_t *multipliers, const int32_t *shifts,
                                              int8_t *output, int units,
                                              int32_t input_zero_point, int32_t output_zero_point,
                                              int32_t act_min, int32_t act_max) {
  int b, u;
  for (b = 0; b < batches; b++) {
    const int8_t *x = input + b * in_depth;
    for (u = 0; u < units; u++) {
      int32_t acc = earshot_dot_s8(weights + u * in_depth, x, in_depth, input_zero_point, 0);
      acc = earshot_wrap_add(acc, bias[u]);
      acc = earshot_mbqm(acc, multipliers[u], shifts[u]) + output_zero_point;
      output[b * units + u] = earshot_clamp_s8(acc, act_min, act_max);
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
