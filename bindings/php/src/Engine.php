<?php

declare(strict_types=1);

namespace Mikiwame;

/**
 * A scoring engine over a fraud index (built by `mikiwame index build`) and shop settings.
 *
 * Open one per process (or per PHP-FPM worker) and reuse it: opening maps the index file,
 * scoring an order takes microseconds. The C engine is freed when the object is destroyed.
 *
 * ```php
 * $engine = new Mikiwame\Engine('/var/lib/mikiwame/fraud.idx', ['alert_threshold' => 20]);
 * $a = $engine->score(['order_id' => 'A-1', 'buyer' => ['name' => '山田太郎']]);
 * if ($a['alert']) { ... }
 * ```
 */
final class Engine
{
    private \FFI $ffi;
    private ?\FFI\CData $handle;

    /**
     * @param string      $indexPath the index file
     * @param array|null  $shop      shop settings (name, phones, emails, ships_to_forwarders,
     *                               alert_threshold, trusted_customers, alert_emails)
     * @param string|null $library   path of libmikiwame.so (default: $MIKIWAME_LIBRARY, then
     *                               the system library path)
     * @param int         $threads   threads for scoreBatch (0: one per CPU)
     * @throws MikiwameException when the library cannot be loaded, the index cannot be
     *                           opened (missing, corrupted) or the settings are invalid
     */
    public function __construct(string $indexPath, ?array $shop = null, ?string $library = null, int $threads = 0)
    {
        $this->handle = null;
        $this->ffi = Library::get($library);
        $shopJson = $shop === null ? null : Library::encode((object) $shop, 'shop settings');
        $error = $this->ffi->new('MkwError *');
        $handle = $this->ffi->mkw_engine_open_with_threads(
            Library::text($indexPath, 'index path'),
            $shopJson,
            max(0, $threads),
            \FFI::addr($error)
        );
        Library::throwIfFailed($this->ffi, $handle, $error);
        $this->handle = $handle;
    }

    public function __destruct()
    {
        if ($this->handle !== null) {
            $this->ffi->mkw_engine_free($this->handle);
            $this->handle = null;
        }
    }

    /**
     * Scores one order (an array in the mikiwame order schema; only order_id is required).
     *
     * @return array{order_id: ?string, score: int, band: string, alert: bool,
     *               address_match: array, forwarding: array, reasons: list<array>,
     *               data_quality: list<string>, error: null}
     * @throws MikiwameException when the order cannot be read (the message names the field)
     */
    public function score(array $order): array
    {
        $json = Library::encode($order, 'order');
        return Library::decode(Library::callString(
            $this->ffi,
            fn ($error) => $this->ffi->mkw_score_json($this->handle, $json, $error)
        ));
    }

    /**
     * Scores many orders in parallel, linking them with each other (shared addresses,
     * bursts). Returns one assessment per order, in order; an order that cannot be read
     * gives an assessment with `error` set (row, field, message) instead of an exception.
     *
     * @param list<array> $orders
     * @return list<array>
     */
    public function scoreBatch(array $orders): array
    {
        $lines = '';
        foreach (array_values($orders) as $i => $order) {
            $lines .= Library::encode($order, "order $i") . "\n";
        }
        $out = Library::callString(
            $this->ffi,
            fn ($error) => $this->ffi->mkw_score_jsonl($this->handle, $lines, $error)
        );
        $result = [];
        foreach (explode("\n", rtrim($out, "\n")) as $line) {
            if ($line !== '') {
                $result[] = Library::decode($line);
            }
        }
        return $result;
    }

    /**
     * Grades an address against the index.
     *
     * @return array{input: string, address_match: array, forwarding: array}
     * @throws MikiwameException for an empty or unparseable address
     */
    public function checkAddress(string $address): array
    {
        $text = Library::text($address, 'address');
        return Library::decode(Library::callString(
            $this->ffi,
            fn ($error) => $this->ffi->mkw_check_address($this->handle, $text, $error)
        ));
    }
}
