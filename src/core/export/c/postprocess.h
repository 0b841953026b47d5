/*
 * Earshot post-processing for continuous audio (C99, no malloc, no libm): the same float32
 * steps as src/core/quant/postprocess.ts, in the same order (the tests compare them bit for bit).
 * Call P_pp_push with each window's int8 scores (every P_PP_WINDOW_HOP_MS); it averages the
 * class probabilities (softmax of the dequantized scores) over the last P_PP_AVERAGE_WINDOWS
 * windows and returns the detected class when the top average reaches P_PP_THRESHOLD and no
 * detection happened in the last P_PP_SUPPRESSION_WINDOWS windows; otherwise -1.
 * Needs EARSHOT_NUM_CLASSES, EARSHOT_OUTPUT_SCALE, EARSHOT_OUTPUT_ZERO_POINT and the EARSHOT_PP_*
 * settings defined before it (the generated header does). Renamed to the chosen prefix.
 */
#ifndef EARSHOT_POSTPROCESS_H
#define EARSHOT_POSTPROCESS_H

#include <stdint.h>
#include <string.h>

typedef struct {
  float probabilities[EARSHOT_PP_AVERAGE_WINDOWS][EARSHOT_NUM_CLASSES];
  /* averaged probabilities after the last push */
  float average[EARSHOT_NUM_CLASSES];
  int next;
  int count;
  int since;
} earshot_pp_state;

/* e^x for x <= 0 (Cody-Waite reduction, Taylor polynomial of degree 6); 0 below -87. */
static inline float earshot_exp_neg(float x) {
  const float log2e = 1.44269504f;
  const float ln2_hi = 0.693359375f;
  const float ln2_lo = -2.12194440e-4f;
  float t, r, p, pow2;
  int k;
  uint32_t bits;
  if (x < -87.0f) return 0.0f;
  t = x * log2e;
  k = -(int)(0.5f - t);
  r = (x - (float)k * ln2_hi) - (float)k * ln2_lo;
  p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  bits = (uint32_t)(k + 127) << 23;
  memcpy(&pow2, &bits, sizeof pow2);
  return p * pow2;
}

/* Softmax of the dequantized int8 scores. */
static inline void earshot_probabilities(const int8_t *scores, float *out) {
  int i, max_q = -128;
  float sum = 0.0f;
  for (i = 0; i < EARSHOT_NUM_CLASSES; i++) if (scores[i] > max_q) max_q = scores[i];
  for (i = 0; i < EARSHOT_NUM_CLASSES; i++) {
    out[i] = earshot_exp_neg(EARSHOT_OUTPUT_SCALE * (float)((int)scores[i] - max_q));
    sum = sum + out[i];
  }
  for (i = 0; i < EARSHOT_NUM_CLASSES; i++) out[i] = out[i] / sum;
}

static inline void earshot_pp_init(earshot_pp_state *s) {
  memset(s, 0, sizeof *s);
  s->since = EARSHOT_PP_SUPPRESSION_WINDOWS;
}

/* One window's int8 scores in; the detected class, or -1. */
static inline int earshot_pp_push(earshot_pp_state *s, const int8_t *scores) {
  const int n = EARSHOT_PP_AVERAGE_WINDOWS;
  int c, k, top = 0;
  earshot_probabilities(scores, s->probabilities[s->next]);
  s->next = (s->next + 1) % n;
  if (s->count < n) s->count++;
  if (s->since < EARSHOT_PP_SUPPRESSION_WINDOWS) s->since++;
  for (c = 0; c < EARSHOT_NUM_CLASSES; c++) {
    float sum = 0.0f;
    for (k = 0; k < s->count; k++) sum = sum + s->probabilities[(s->next - s->count + k + n) % n][c];
    s->average[c] = sum / (float)s->count;
  }
  if (s->count < n) return -1;
  for (c = 1; c < EARSHOT_NUM_CLASSES; c++) if (s->average[c] > s->average[top]) top = c;
  if (s->average[top] >= EARSHOT_PP_THRESHOLD && s->since >= EARSHOT_PP_SUPPRESSION_WINDOWS) {
    s->since = 0;
    return top;
  }
  return -1;
}

#endif /* EARSHOT_POSTPROCESS_H */
