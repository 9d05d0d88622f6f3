<?php

declare(strict_types=1);

namespace Mikiwame;

/**
 * Address normalization; needs no index.
 *
 * ```php
 * $a = Mikiwame\Address::normalize('東京都世田谷区池尻2-31-12-203');
 * echo $a['unit_key'];
 * ```
 */
final class Address
{
    /**
     * Normalizes one address: `input`, `block_key`, `unit_key`, `components`, `anomalies`,
     * as `mikiwame normalize` prints.
     *
     * @param string|null $library path of libmikiwame.so (as for Engine)
     * @throws MikiwameException for an empty or unparseable address
     */
    public static function normalize(string $address, ?string $library = null): array
    {
        $ffi = Library::get($library);
        $text = Library::text($address, 'address');
        return Library::decode(Library::callString(
            $ffi,
            fn ($error) => $ffi->mkw_normalize_address($text, $error)
        ));
    }
}
