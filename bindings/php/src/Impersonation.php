<?php

declare(strict_types=1);

namespace Mikiwame;

/**
 * Impersonation screening of a sender address, URL, phone number or message text.
 *
 * ```php
 * $r = Mikiwame\Impersonation::screen(['url' => 'https://amaz0n-login.example/']);
 * echo $r['url']['verdict']; // lookalike
 * ```
 */
final class Impersonation
{
    /**
     * Screens `$input` (any of sender, url, phone, region, text, authenticated) against
     * a built-in brand profile. Returns, under each given field's name, `verdict` and
     * `reasons` (for text: `verdict`, `score`, `cues`), as `mikiwame screen` prints.
     *
     * @throws MikiwameException for an unknown brand
     */
    public static function screen(array $input, string $brand = 'amazon', ?string $library = null): array
    {
        $ffi = Library::get($library);
        $json = Library::encode((object) $input, 'input');
        $brandText = Library::text($brand, 'brand');
        return Library::decode(Library::callString(
            $ffi,
            fn ($error) => $ffi->mkw_screen_json($json, $brandText, $error)
        ));
    }
}
