/* The C ABI on generated orders: per-order mkw_score_json and one mkw_score_jsonl batch.
 *   score_bench INDEX ORDERS.jsonl [REPEATS]
 * Prints the median over REPEATS (default 5) of each, in the format of the Rust side
 * (benches/src/bin/score-api.rs), which does the same work through the Rust API. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "mikiwame.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s INDEX ORDERS.jsonl [REPEATS]\n", argv[0]);
        return 2;
    }
    int repeats = argc > 3 ? atoi(argv[3]) : 5;
    if (repeats < 1 || repeats > 100) repeats = 5;
    FILE *f = fopen(argv[2], "rb");
    if (f == NULL) {
        perror(argv[2]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *all = malloc((size_t)size + 1);
    char *lines = malloc((size_t)size + 1);
    if (all == NULL || lines == NULL || fread(all, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", argv[2]);
        return 1;
    }
    fclose(f);
    all[size] = '\0';
    memcpy(lines, all, (size_t)size + 1);
    size_t n = 0;
    for (long i = 0; i < size; i++) n += lines[i] == '\n';
    char **order = malloc(n * sizeof *order);
    size_t k = 0;
    for (char *p = strtok(lines, "\n"); p != NULL && k < n; p = strtok(NULL, "\n")) order[k++] = p;
    n = k;

    MkwError *error = NULL;
    /* One thread, as the Rust side: the comparison is of the boundary, not of scheduling. */
    MkwEngine *engine = mkw_engine_open_with_threads(argv[1], NULL, 1, &error);
    if (engine == NULL) {
        fprintf(stderr, "%s\n", mkw_error_message(error));
        mkw_error_free(error);
        return 1;
    }
    double *one = malloc((size_t)repeats * sizeof *one);
    double *batch = malloc((size_t)repeats * sizeof *batch);
    size_t bytes = 0;
    for (int r = 0; r < repeats; r++) {
        double t = now();
        for (size_t i = 0; i < n; i++) {
            char *out = mkw_score_json(engine, order[i], NULL);
            if (out == NULL) {
                fprintf(stderr, "order %zu failed\n", i + 1);
                return 1;
            }
            bytes += strlen(out);
            mkw_string_free(out);
        }
        one[r] = now() - t;
        t = now();
        char *out = mkw_score_jsonl(engine, all, NULL);
        batch[r] = now() - t;
        if (out == NULL) return 1;
        bytes += strlen(out);
        mkw_string_free(out);
    }
    double m1 = median(one, repeats), mb = median(batch, repeats);
    printf("c   per-order mkw_score_json : %zu orders, median %.3f s, %.2f us/order\n", n, m1, m1 / (double)n * 1e6);
    printf("c   batch mkw_score_jsonl    : %zu orders, median %.3f s, %.2f us/order\n", n, mb, mb / (double)n * 1e6);
    fprintf(stderr, "(%zu output bytes)\n", bytes);
    mkw_engine_free(engine);
    free(one);
    free(batch);
    free(order);
    free(lines);
    free(all);
    return 0;
}
