/* Tests of the C ABI, run by bindings/c/tests/run.sh:
 *   test_capi INDEX CORRUPTED_INDEX
 * Every check that fails prints its line and makes the exit status 1. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mikiwame.h"

static int failures = 0;

#define CHECK(cond)                                                      \
    do {                                                                 \
        if (!(cond)) {                                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                  \
        }                                                                \
    } while (0)

static int contains(const char *haystack, const char *needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++) {
        if (*s == '\n') n++;
    }
    return n;
}

/* Expects `out` to be NULL and `error` to be set with `code` and a message containing
 * `words`; frees the error. */
static void expect_error(const char *what, char *out, MkwError *error, MkwErrorCode code,
                         const char *words) {
    if (out != NULL || error == NULL) {
        fprintf(stderr, "%s: expected an error\n", what);
        failures++;
        mkw_string_free(out);
        mkw_error_free(error);
        return;
    }
    if (mkw_error_code(error) != code || !contains(mkw_error_message(error), words)) {
        fprintf(stderr, "%s: unexpected error %d: %s\n", what, (int)mkw_error_code(error),
                mkw_error_message(error));
        failures++;
    }
    mkw_error_free(error);
}

static const char *ORDER =
    "{\"order_id\": \"T-1\", \"amount\": 39800, \"buyer\": {\"name\": \"山田太郎\","
    " \"email\": \"tanaka.jiro.fake@example.jp\"},"
    " \"shipping\": {\"address\": \"東京都世田谷区池尻2-31-12-203\"}}";

static void test_versions(void) {
    CHECK(mkw_abi_version() == 1);
    CHECK(strlen(mkw_version()) > 0);
    CHECK(strchr(mkw_version(), '.') != NULL);
}

static void test_score(MkwEngine *engine) {
    MkwError *error = NULL;
    char *out = mkw_score_json(engine, ORDER, &error);
    CHECK(out != NULL && error == NULL);
    CHECK(contains(out, "\"order_id\":\"T-1\""));
    /* The index holds this room and this email as fraud records. */
    CHECK(contains(out, "\"level\":\"danger\""));
    CHECK(contains(out, "known_fraud_email"));
    CHECK(contains(out, "\"band\":\"high\""));
    CHECK(contains(out, "\"error\":null"));
    mkw_string_free(out);

    /* The error pointer may be NULL. */
    out = mkw_score_json(engine, "{\"order_id\": \"T-2\"}", NULL);
    CHECK(contains(out, "\"score\":"));
    mkw_string_free(out);
    CHECK(mkw_score_json(engine, "not json", NULL) == NULL);
}

static void test_errors(MkwEngine *engine) {
    MkwError *error = NULL;
    char *out;

    out = mkw_score_json(NULL, ORDER, &error);
    expect_error("NULL engine", out, error, MKW_ERROR_CODE_NULL_ARGUMENT, "engine");
    error = NULL;
    out = mkw_score_json(engine, NULL, &error);
    expect_error("NULL order", out, error, MKW_ERROR_CODE_NULL_ARGUMENT, "order_json");
    error = NULL;
    out = mkw_score_json(engine, "{\"order_id\": \"x\", \"amount\": \"lots\"}", &error);
    expect_error("bad amount", out, error, MKW_ERROR_CODE_INVALID_INPUT, "amount");
    error = NULL;
    out = mkw_score_json(engine, "{\"amount\": 1", &error);
    expect_error("bad JSON", out, error, MKW_ERROR_CODE_INVALID_INPUT, "order");
    error = NULL;
    out = mkw_score_json(engine, "{\"order_id\": \"\xff\xfe\"}", &error);
    expect_error("invalid UTF-8", out, error, MKW_ERROR_CODE_INVALID_UTF8, "UTF-8");
    error = NULL;
    out = mkw_score_jsonl(engine, NULL, &error);
    expect_error("NULL batch", out, error, MKW_ERROR_CODE_NULL_ARGUMENT, "orders_jsonl");
    error = NULL;
    out = mkw_check_address(engine, NULL, &error);
    expect_error("NULL address", out, error, MKW_ERROR_CODE_NULL_ARGUMENT, "address");
    error = NULL;
    out = mkw_check_address(engine, "  ", &error);
    expect_error("empty address", out, error, MKW_ERROR_CODE_INVALID_INPUT, "empty");
    error = NULL;
    out = mkw_normalize_address("\xe6\x9d", &error);
    expect_error("truncated UTF-8", out, error, MKW_ERROR_CODE_INVALID_UTF8, "UTF-8");
    error = NULL;
    out = mkw_screen_json("[1]", NULL, &error);
    expect_error("screen array", out, error, MKW_ERROR_CODE_INVALID_INPUT, "object");
    error = NULL;
    out = mkw_screen_json("{\"url\": \"https://a.jp\"}", "no-such-brand", &error);
    CHECK(out == NULL && error != NULL);
    mkw_error_free(error);

    /* NULL handles and strings may be freed; NULL errors have no message. */
    mkw_string_free(NULL);
    mkw_error_free(NULL);
    mkw_engine_free(NULL);
    CHECK(mkw_error_message(NULL) == NULL);
    CHECK(mkw_error_code(NULL) == MKW_ERROR_CODE_NULL_ARGUMENT);
}

static void test_open_errors(const char *corrupted) {
    MkwError *error = NULL;
    MkwEngine *e = mkw_engine_open("/nonexistent/mikiwame.idx", NULL, &error);
    CHECK(e == NULL);
    CHECK(error != NULL && mkw_error_code(error) == MKW_ERROR_CODE_IO);
    CHECK(contains(mkw_error_message(error), "/nonexistent/mikiwame.idx"));
    mkw_error_free(error);

    error = NULL;
    e = mkw_engine_open(corrupted, NULL, &error);
    CHECK(e == NULL);
    CHECK(error != NULL && mkw_error_code(error) == MKW_ERROR_CODE_INDEX_FORMAT);
    CHECK(contains(mkw_error_message(error), "rebuild"));
    mkw_error_free(error);

    error = NULL;
    e = mkw_engine_open(NULL, NULL, &error);
    CHECK(e == NULL && mkw_error_code(error) == MKW_ERROR_CODE_NULL_ARGUMENT);
    mkw_error_free(error);
    CHECK(mkw_engine_open(NULL, NULL, NULL) == NULL);
}

static void test_bad_shop(const char *index) {
    MkwError *error = NULL;
    MkwEngine *e = mkw_engine_open(index, "{\"alert_threshold\": \"high\"}", &error);
    CHECK(e == NULL);
    CHECK(error != NULL && mkw_error_code(error) == MKW_ERROR_CODE_INVALID_INPUT);
    CHECK(contains(mkw_error_message(error), "shop"));
    mkw_error_free(error);
}

static void test_batch(MkwEngine *engine) {
    const char *batch =
        "{\"order_id\": \"B-1\", \"buyer\": {\"name\": \"佐藤花子\"}}\n"
        "{\"order_id\": \"B-2\", \"amount\": \"lots\"}\n"
        "\n"
        "this is not json\n"
        "{\"order_id\": \"B-4\", \"buyer\": {\"name\": \"\xff\"}}\n"
        "{\"order_id\": \"B-5\"}";
    MkwError *error = NULL;
    char *out = mkw_score_jsonl(engine, batch, &error);
    CHECK(out != NULL && error == NULL);
    if (out == NULL) return;
    CHECK(count_lines(out) == 5);
    const char *line2 = strchr(out, '\n') + 1;
    CHECK(strncmp(out, "{\"order_id\":\"B-1\",\"score\"", 25) == 0);
    CHECK(strncmp(line2, "{\"order_id\":\"B-2\"", 17) == 0);
    CHECK(contains(out, "{\"row\":2,\"field\":\"amount\""));
    CHECK(contains(out, "{\"row\":4,\"field\":\"\""));
    CHECK(contains(out, "\"row\":5") && contains(out, "UTF-8"));
    CHECK(contains(out, "\"order_id\":\"B-5\",\"score\""));
    mkw_string_free(out);

    out = mkw_score_jsonl(engine, "", &error);
    CHECK(out != NULL && strlen(out) == 0);
    mkw_string_free(out);
}

static void test_address(MkwEngine *engine) {
    MkwError *error = NULL;
    char *out = mkw_normalize_address("東京都世田谷区東京都池尻2-31-12-203", &error);
    CHECK(out != NULL);
    CHECK(contains(out, "\"block_key\""));
    CHECK(contains(out, "prefecture_repeated"));
    mkw_string_free(out);

    out = mkw_check_address(engine, "東京都世田谷区池尻2丁目31番12号メゾン池尻203", &error);
    CHECK(contains(out, "\"address_match\":{\"level\":\"danger\""));
    CHECK(contains(out, "\"forwarding\""));
    mkw_string_free(out);
    out = mkw_check_address(engine, "千葉県市川市塩浜2丁目13番1号 SGR1234567", &error);
    CHECK(contains(out, "\"level\":\"service\""));
    mkw_string_free(out);
}

static void test_screen(void) {
    char *out = mkw_screen_json(
        "{\"url\": \"https://amazon.co.jp/\", \"sender\": \"support@amaz0n-security.com\"}",
        NULL, NULL);
    CHECK(contains(out, "\"verdict\":\"official\""));
    CHECK(contains(out, "\"verdict\":\"lookalike\""));
    mkw_string_free(out);
}

/* 8 threads share one engine; each scores orders and checks its own results. */
struct worker {
    MkwEngine *engine;
    int id;
    int bad;
};

static void *work(void *arg) {
    struct worker *w = arg;
    char order[256];
    char expect[64];
    for (int i = 0; i < 200; i++) {
        snprintf(order, sizeof order,
                 "{\"order_id\": \"W%d-%d\", \"shipping\": {\"address\":"
                 " \"東京都世田谷区池尻2-31-12-203\"}}",
                 w->id, i);
        snprintf(expect, sizeof expect, "\"order_id\":\"W%d-%d\"", w->id, i);
        char *out = mkw_score_json(w->engine, order, NULL);
        if (!contains(out, expect) || !contains(out, "danger")) w->bad++;
        mkw_string_free(out);
        if (i % 50 == 0) {
            char *batch = mkw_score_jsonl(w->engine, "{\"order_id\":\"a\"}\n{\"order_id\":\"b\"}", NULL);
            if (batch == NULL || count_lines(batch) != 2) w->bad++;
            mkw_string_free(batch);
        }
    }
    return NULL;
}

static void test_threads(MkwEngine *engine) {
    pthread_t threads[8];
    struct worker workers[8];
    for (int i = 0; i < 8; i++) {
        workers[i] = (struct worker){engine, i, 0};
        CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(threads[i], NULL);
        CHECK(workers[i].bad == 0);
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s INDEX CORRUPTED_INDEX\n", argv[0]);
        return 2;
    }
    MkwError *error = NULL;
    MkwEngine *engine = mkw_engine_open_with_threads(argv[1], "{\"name\": \"test shop\"}", 2, &error);
    if (engine == NULL) {
        fprintf(stderr, "cannot open %s: %s\n", argv[1], mkw_error_message(error));
        mkw_error_free(error);
        return 1;
    }
    test_versions();
    test_score(engine);
    test_errors(engine);
    test_open_errors(argv[2]);
    test_bad_shop(argv[1]);
    test_batch(engine);
    test_address(engine);
    test_screen();
    test_threads(engine);
    mkw_engine_free(engine);
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("C ABI tests passed\n");
    return 0;
}
