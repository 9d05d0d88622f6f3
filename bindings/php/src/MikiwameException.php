<?php

declare(strict_types=1);

namespace Mikiwame;

/**
 * Every error of mikiwame: a library that cannot be loaded, an index that cannot be
 * opened, input that cannot be read. The code is the C ABI's MkwErrorCode (0 when the error
 * was found on the PHP side, e.g. a value that cannot be encoded as JSON).
 */
class MikiwameException extends \RuntimeException
{
    /** A required argument was missing (NULL). */
    public const NULL_ARGUMENT = 1;
    /** A string was not valid UTF-8. */
    public const INVALID_UTF8 = 2;
    /** The input (order, address, shop settings) could not be read. */
    public const INVALID_INPUT = 3;
    /** The index file is not an index, truncated, corrupted or of another version. */
    public const INDEX_FORMAT = 4;
    /** A file could not be read. */
    public const IO = 5;
    /** A bug in mikiwame; please report it. */
    public const INTERNAL = 6;
}
