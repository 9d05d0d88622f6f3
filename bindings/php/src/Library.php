<?php

declare(strict_types=1);

namespace Mikiwame;

/**
 * The loaded libmikiwame: one FFI instance per library path, shared by every Engine.
 *
 * The library is found, in order: the path given to the constructor of Engine (or to
 * Library::get), the environment variable MIKIWAME_LIBRARY, the FFI scope "mikiwame" of a
 * preload script (FFI::load), then "libmikiwame.so" on the
 * system's library path. The header is parsed once per process and library path.
 *
 * @internal
 */
final class Library
{
    /** The C ABI version this wrapper is written for. */
    public const ABI_VERSION = 1;

    /** @var array<string, \FFI> */
    private static array $loaded = [];

    /** The FFI scope a preload script declares with FFI::load (see the README). */
    public const SCOPE = 'mikiwame';

    public static function get(?string $path = null): \FFI
    {
        if (!extension_loaded('ffi')) {
            throw new MikiwameException(
                'PHP FFI is not available: install/enable the ffi extension (ffi.enable=true for the CLI, or preload)'
            );
        }
        if ($path === null && getenv('MIKIWAME_LIBRARY') === false) {
            // Under PHP-FPM with ffi.enable=preload, the library was loaded once by the
            // preload script; FFI::cdef is not allowed there.
            $scoped = self::preloaded();
            if ($scoped !== null) {
                return $scoped;
            }
        }
        $path ??= getenv('MIKIWAME_LIBRARY') ?: 'libmikiwame.so';
        if (isset(self::$loaded[$path])) {
            return self::$loaded[$path];
        }
        $header = file_get_contents(__DIR__ . '/mikiwame_php.h');
        if ($header === false) {
            throw new MikiwameException('cannot read ' . __DIR__ . '/mikiwame_php.h');
        }
        try {
            $ffi = \FFI::cdef($header, $path);
        } catch (\FFI\Exception $e) {
            throw new MikiwameException(
                "cannot load libmikiwame from '$path': {$e->getMessage()}; "
                . 'pass its path to the Engine constructor or set MIKIWAME_LIBRARY',
                0,
                $e
            );
        }
        self::checkAbi($ffi, $path);
        return self::$loaded[$path] = $ffi;
    }

    private static ?\FFI $scope = null;

    private static function preloaded(): ?\FFI
    {
        if (self::$scope === null) {
            try {
                self::$scope = \FFI::scope(self::SCOPE);
            } catch (\FFI\Exception) {
                return null;
            }
            self::checkAbi(self::$scope, 'FFI scope ' . self::SCOPE);
        }
        return self::$scope;
    }

    private static function checkAbi(\FFI $ffi, string $where): void
    {
        $abi = $ffi->mkw_abi_version();
        if ($abi !== self::ABI_VERSION) {
            throw new MikiwameException(
                "libmikiwame at $where has ABI version $abi; this package needs "
                . self::ABI_VERSION . ': install matching versions'
            );
        }
    }

    /**
     * Calls `$call` with a fresh `MkwError **`, turns a failure into an exception and a
     * returned `char *` into a PHP string, freeing both C values.
     *
     * @param callable(\FFI\CData): ?\FFI\CData $call
     */
    public static function callString(\FFI $ffi, callable $call): string
    {
        $error = $ffi->new('MkwError *');
        $out = $call(\FFI::addr($error));
        self::throwIfFailed($ffi, $out, $error);
        try {
            return \FFI::string($out);
        } finally {
            $ffi->mkw_string_free($out);
        }
    }

    /** Throws the C error when `$result` is NULL; frees the error. */
    public static function throwIfFailed(\FFI $ffi, ?\FFI\CData $result, \FFI\CData $error): void
    {
        if ($result !== null && !\FFI::isNull($result)) {
            return;
        }
        if (\FFI::isNull($error)) {
            throw new MikiwameException('mikiwame failed without an error message', MikiwameException::INTERNAL);
        }
        // PHP's FFI turns a returned `const char *` into a PHP string (a copy); the C
        // string stays owned by the error, freed below.
        $message = $ffi->mkw_error_message($error);
        $message = is_string($message) ? $message : \FFI::string($message);
        $code = (int) $ffi->mkw_error_code($error);
        $ffi->mkw_error_free($error);
        throw new MikiwameException($message, $code);
    }

    /**
     * A string for the C side: it must not contain NUL bytes, which C would read as its end.
     */
    public static function text(string $value, string $what): string
    {
        if (str_contains($value, "\0")) {
            throw new MikiwameException("the $what contains a NUL byte", MikiwameException::INVALID_INPUT);
        }
        return $value;
    }

    /** Encodes a PHP value as JSON for the library. */
    public static function encode(mixed $value, string $what): string
    {
        try {
            return json_encode($value, JSON_THROW_ON_ERROR | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION);
        } catch (\JsonException $e) {
            throw new MikiwameException("cannot encode the $what as JSON: {$e->getMessage()}", 0, $e);
        }
    }

    /** Decodes the library's JSON output into arrays. */
    public static function decode(string $json): array
    {
        try {
            $value = json_decode($json, true, 512, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new MikiwameException("libmikiwame returned invalid JSON: {$e->getMessage()}", MikiwameException::INTERNAL, $e);
        }
        return is_array($value) ? $value : [];
    }
}
