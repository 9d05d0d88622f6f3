/* Score one order from C: build with
 *   gcc -Wall -Wextra -Werror -I bindings/c/include bindings/c/examples/score.c \
 *       -L "$CARGO_TARGET_DIR/release" -lmikiwame -o score
 * and run it with the path of an index built by `mikiwame index build`. */
#include <stdio.h>
#include "mikiwame.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s INDEX\n", argv[0]);
        return 1;
    }
    MkwError *error = NULL;
    MkwEngine *engine = mkw_engine_open(argv[1], "{\"alert_threshold\": 20}", &error);
    if (engine == NULL) {
        fprintf(stderr, "cannot open the engine: %s\n", mkw_error_message(error));
        mkw_error_free(error);
        return 1;
    }
    const char *order =
        "{\"order_id\": \"A-1001\", \"amount\": 39800,"
        " \"buyer\": {\"name\": \"山田太郎\", \"email\": \"taro@example.jp\"},"
        " \"shipping\": {\"address\": \"東京都世田谷区池尻2-31-12-203\"},"
        " \"items\": [{\"sku\": \"GC-10000\", \"category\": \"gift_card\", \"quantity\": 2}]}";
    char *assessment = mkw_score_json(engine, order, &error);
    if (assessment == NULL) {
        fprintf(stderr, "cannot score: %s\n", mkw_error_message(error));
        mkw_error_free(error);
        mkw_engine_free(engine);
        return 1;
    }
    printf("%s\n", assessment); /* {"order_id":"A-1001","score":...,"band":...} */
    mkw_string_free(assessment);
    mkw_engine_free(engine);
    return 0;
}
