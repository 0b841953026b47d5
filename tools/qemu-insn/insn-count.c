/*
 * insn-count: a QEMU TCG plugin (plugin API version 1, QEMU 7.2) that counts executed guest
 * instructions, exactly, with inline counters (no callbacks on the hot path).
 *
 * Debian ships QEMU with plugin support but without qemu-plugin.h, so the few API prototypes
 * used here are declared below, as QEMU 7.2's include/qemu/qemu-plugin.h defines them.
 *
 * Arguments (-plugin ./insn-count.so,out=FILE[,lo=ADDR,hi=ADDR][,hist=on]):
 *   out   file to write the result to (default: stderr)
 *   lo/hi count only instructions with lo <= address < hi (e.g. one function from nm)
 *   hist  also write one line per executed instruction address: "0xADDR COUNT"
 * Output: "insns N" (instructions executed in the range), then the histogram if asked.
 * Build: gcc -shared -fPIC -O2 -o insn-count.so insn-count.c
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the subset of qemu-plugin.h (QEMU 7.2, QEMU_PLUGIN_VERSION 1) this plugin uses ---- */
typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t {
    const char *target_name;
    struct { int min; int cur; } version;
    bool system_emulation;
    union { struct { int smp_vcpus; int max_vcpus; } system; };
} qemu_info_t;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);
/* ---------------------------------------------------------------------------------------- */

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* Thumb instructions are 2-byte aligned; code of the MPS2 test programs lives below 4 MB. */
#define HIST_LIMIT (4u << 20)
static uint64_t *hist;         /* one counter per halfword address below HIST_LIMIT */
static uint64_t total;         /* used when no histogram is needed */
static uint64_t lo, hi = UINT64_MAX;
static bool want_hist;
static char *out_path;

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t n = qemu_plugin_tb_n_insns(tb);
    (void)id;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t a = qemu_plugin_insn_vaddr(insn);
        if (a < lo || a >= hi) continue;
        if (hist && a < HIST_LIMIT) {
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &hist[a >> 1], 1);
        } else {
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &total, 1);
        }
    }
}

static void at_end(qemu_plugin_id_t id, void *userdata)
{
    FILE *f = out_path ? fopen(out_path, "w") : stderr;
    uint64_t sum = total;
    (void)id;
    (void)userdata;
    if (!f) {
        qemu_plugin_outs("insn-count: cannot open the output file\n");
        return;
    }
    if (hist) for (uint64_t i = 0; i < HIST_LIMIT / 2; i++) sum += hist[i];
    fprintf(f, "insns %" PRIu64 "\n", sum);
    if (hist && want_hist) {
        for (uint64_t i = 0; i < HIST_LIMIT / 2; i++) {
            if (hist[i]) fprintf(f, "0x%" PRIx64 " %" PRIu64 "\n", i << 1, hist[i]);
        }
    }
    if (f != stderr) fclose(f);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    (void)info;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "out=", 4) == 0) out_path = strdup(a + 4);
        else if (strncmp(a, "lo=", 3) == 0) lo = strtoull(a + 3, NULL, 0);
        else if (strncmp(a, "hi=", 3) == 0) hi = strtoull(a + 3, NULL, 0);
        else if (strcmp(a, "hist=on") == 0) want_hist = true;
        else {
            fprintf(stderr, "insn-count: unknown argument %s\n", a);
            return -1;
        }
    }
    if (want_hist) {
        hist = calloc(HIST_LIMIT / 2, sizeof *hist);
        if (!hist) return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, at_end, NULL);
    return 0;
}
