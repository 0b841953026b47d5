/*
 * Runs one Earshot int8 kernel (src/core/export/c/kernels.h) once on a shape given on the
 * semihosting command line, for instruction counting under QEMU (scripts/fit-costs.ts):
 *   kernel-bench RUN OP ARGS...   RUN = 1 runs the kernel, 0 does everything else (the dry run)
 * The instructions of the kernel are count(RUN=1) - count(RUN=0), helpers and libgcc included.
 * OP and ARGS:
 *   conv  in_h in_w in_c out_c kh kw stride pad      (pad 1 = SAME, 0 = VALID)
 *   dw    in_h in_w in_c mult kh kw stride pad
 *   fc    in_depth units
 *   max   in_h in_w c ph pw stride
 *   avg   in_h in_w c ph pw stride
 *   add   size
 * Returns 0 after printing a checksum of the output (so the kernel cannot be optimized away).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernels.h"

#define BUF 65536
static int8_t in1[BUF], in2[BUF], wts[BUF], out[BUF];
static int32_t bias[1024], mult[1024], shift[1024];

static void fill(void) {
  uint32_t s = 12345u;
  int i;
  for (i = 0; i < BUF; i++) {
    s = s * 1664525u + 1013904223u;
    in1[i] = (int8_t)(s >> 24);
    in2[i] = (int8_t)(s >> 16);
    wts[i] = (int8_t)(s >> 8);
  }
  for (i = 0; i < 1024; i++) {
    bias[i] = (int32_t)(i * 37) - 9000;
    mult[i] = 1300000000 + i * 1000;
    shift[i] = -7 - (i & 3);
  }
}

static int out_dim(int in, int k, int stride, int same) {
  return same ? (in + stride - 1) / stride : (in - k) / stride + 1;
}

static int pad_before(int in, int k, int stride, int same) {
  int out = out_dim(in, k, stride, same);
  int total = (out - 1) * stride + k - in;
  return same && total > 0 ? total / 2 : 0;
}

int main(int argc, char **argv) {
  int run, n = 0, i;
  unsigned sum = 0;
  const char *op;
  int a[9] = {0};
  if (argc < 3) return 2;
  run = atoi(argv[1]);
  op = argv[2];
  for (i = 3; i < argc && i < 12; i++) a[i - 3] = atoi(argv[i]);
  fill();
  if (strcmp(op, "conv") == 0) {
    int oh = out_dim(a[0], a[4], a[6], a[7]), ow = out_dim(a[1], a[5], a[6], a[7]);
    n = oh * ow * a[3];
    if (a[0] * a[1] * a[2] > BUF || a[3] * a[4] * a[5] * a[2] > BUF || n > BUF || a[3] > 1024) return 3;
    if (run)
      earshot_conv2d_s8(in1, a[0], a[1], a[2], wts, bias, mult, shift, a[4], a[5], a[6], a[6],
                        pad_before(a[0], a[4], a[6], a[7]), pad_before(a[1], a[5], a[6], a[7]),
                        out, oh, ow, a[3], -3, 5, -128, 127);
  } else if (strcmp(op, "dw") == 0) {
    int oh = out_dim(a[0], a[4], a[6], a[7]), ow = out_dim(a[1], a[5], a[6], a[7]);
    n = oh * ow * a[2] * a[3];
    if (a[0] * a[1] * a[2] > BUF || a[2] * a[3] * a[4] * a[5] > BUF || n > BUF || a[2] * a[3] > 1024) return 3;
    if (run)
      earshot_depthwise_conv2d_s8(in1, a[0], a[1], a[2], wts, bias, mult, shift, a[4], a[5], a[6], a[6],
                                  pad_before(a[0], a[4], a[6], a[7]), pad_before(a[1], a[5], a[6], a[7]), a[3],
                                  out, oh, ow, -3, 5, -128, 127);
  } else if (strcmp(op, "fc") == 0) {
    n = a[1];
    if (a[0] > BUF || a[0] * a[1] > BUF || a[1] > 1024) return 3;
    if (run) earshot_fully_connected_s8(in1, 1, a[0], wts, bias, mult, shift, out, a[1], -3, 5, -128, 127);
  } else if (strcmp(op, "max") == 0 || strcmp(op, "avg") == 0) {
    int oh = out_dim(a[0], a[3], a[5], 0), ow = out_dim(a[1], a[4], a[5], 0);
    n = oh * ow * a[2];
    if (a[0] * a[1] * a[2] > BUF) return 3;
    if (run && op[0] == 'm') earshot_max_pool_s8(in1, a[0], a[1], a[2], a[3], a[4], a[5], a[5], 0, 0, out, oh, ow, -128, 127);
    if (run && op[0] == 'a') earshot_avg_pool_s8(in1, a[0], a[1], a[2], a[3], a[4], a[5], a[5], 0, 0, out, oh, ow, -128, 127);
  } else if (strcmp(op, "add") == 0) {
    n = a[0];
    if (n > BUF) return 3;
    if (run) earshot_add_s8(in1, in2, out, n, -3, 7, 2, 20, 1500000000, -1, 1400000000, -1, 1200000000, -18, -128, 127);
  } else {
    return 4;
  }
  for (i = 0; i < n; i++) sum = sum * 31u + (uint8_t)out[i];
  printf("n %d sum %u\n", n, sum);
  return 0;
}
