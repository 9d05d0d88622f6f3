typedef enum {
  MKW_ERROR_CODE_NULL_ARGUMENT = 1,
  MKW_ERROR_CODE_INVALID_UTF8 = 2,
  MKW_ERROR_CODE_INVALID_INPUT = 3,
  MKW_ERROR_CODE_INDEX_FORMAT = 4,
  MKW_ERROR_CODE_IO = 5,
  MKW_ERROR_CODE_INTERNAL = 6,
} MkwErrorCode;

typedef struct MkwEngine MkwEngine;

typedef struct MkwError MkwError;

uint32_t mkw_abi_version(void);

const char *mkw_version(void);

void mkw_string_free(char *s);

char *mkw_normalize_address(const char *address, MkwError **error);

MkwEngine *mkw_engine_open(const char *index_path, const char *shop_json, MkwError **error);

MkwEngine *mkw_engine_open_with_threads(const char *index_path,
                                        const char *shop_json,
                                        size_t threads,
                                        MkwError **error);

void mkw_engine_free(MkwEngine *engine);

char *mkw_score_json(const MkwEngine *engine, const char *order_json, MkwError **error);

char *mkw_score_jsonl(const MkwEngine *engine, const char *orders_jsonl, MkwError **error);

char *mkw_check_address(const MkwEngine *engine, const char *address, MkwError **error);

const char *mkw_error_message(const MkwError *error);

MkwErrorCode mkw_error_code(const MkwError *error);

void mkw_error_free(MkwError *error);

char *mkw_screen_json(const char *input_json, const char *brand, MkwError **error);
