<?php
// Tests of the PHP package, run by bindings/php/tests/run.sh:
//   php tests/EngineTest.php INDEX CORRUPTED_INDEX LIBRARY
// Every failed check prints its line; the exit status is 1 when any failed.
declare(strict_types=1);

require __DIR__ . '/../autoload.php';

use Mikiwame\Address;
use Mikiwame\Engine;
use Mikiwame\Impersonation;
use Mikiwame\MikiwameException;

[$_, $index, $corrupted, $library] = $argv;
$failures = 0;

function check(bool $cond, string $what): void
{
    global $failures;
    if (!$cond) {
        $line = debug_backtrace()[0]['line'];
        fwrite(STDERR, "EngineTest.php:$line: check failed: $what\n");
        $failures++;
    }
}

/** Runs $f, which must throw a MikiwameException with $code and $words in its message. */
function throws(callable $f, int $code, string $words, string $what): void
{
    global $failures;
    try {
        $f();
        fwrite(STDERR, "$what: expected a MikiwameException\n");
        $failures++;
    } catch (MikiwameException $e) {
        if ($e->getCode() !== $code || !str_contains($e->getMessage(), $words)) {
            fwrite(STDERR, "$what: unexpected exception {$e->getCode()}: {$e->getMessage()}\n");
            $failures++;
        }
    }
}

$engine = new Engine($index, ['name' => 'test shop', 'alert_threshold' => 20], $library, 2);

// score
$a = $engine->score([
    'order_id' => 'P-1',
    'buyer' => ['name' => '山田太郎', 'email' => 'tanaka.jiro.fake@example.jp'],
    'shipping' => ['address' => '東京都世田谷区池尻2丁目31番12号 メゾン池尻203'],
]);
check($a['order_id'] === 'P-1', 'order_id');
check($a['address_match']['level'] === 'danger' && $a['address_match']['stars'] === 3, 'danger grade');
check(in_array('known_fraud_email', array_column($a['reasons'], 'code'), true), 'known email');
check($a['alert'] === true && $a['band'] === 'high', 'alert');
check(array_key_exists('error', $a) && $a['error'] === null, 'error null');
$plain = $engine->score(['order_id' => 'P-2', 'amount' => 1200]);
check($plain['address_match']['level'] === 'none' && is_int($plain['score']), 'plain order');

// batch: bad rows become error rows, in place
$rows = $engine->scoreBatch([
    ['order_id' => 'B-1', 'buyer' => ['name' => '佐藤花子']],
    ['order_id' => 'B-2', 'amount' => 'lots'],
    ['order_id' => 'B-3', 'shipping' => ['address' => '千葉県市川市塩浜2丁目13番1号 SGR1234567']],
]);
check(count($rows) === 3, 'batch size');
check(array_column($rows, 'order_id') === ['B-1', 'B-2', 'B-3'], 'batch order');
check($rows[0]['error'] === null, 'row 1 fine');
check($rows[1]['error']['field'] === 'amount' && $rows[1]['error']['row'] === 2, 'row 2 error');
check($rows[2]['forwarding']['level'] === 'service', 'row 3 forwarder');
check($engine->scoreBatch([]) === [], 'empty batch');

// address check and normalize
$c = $engine->checkAddress('東京都世田谷区池尻2-31-12-203');
check($c['input'] === '東京都世田谷区池尻2-31-12-203', 'check input');
check($c['address_match']['level'] === 'danger', 'check danger');
$n = Address::normalize('東京都世田谷区東京都池尻2-31-12-203', $library);
check(in_array('prefecture_repeated', $n['anomalies'], true), 'anomaly');
check($n['unit_key'] === Address::normalize('東京都世田谷区池尻2丁目31番12号203号室', $library)['unit_key'], 'same unit key');

// screen
$s = Impersonation::screen(['url' => 'https://amazon.co.jp/', 'sender' => 'support@amaz0n-security.com'], 'amazon', $library);
check($s['url']['verdict'] === 'official', 'official url');
check($s['sender']['verdict'] === 'lookalike', 'lookalike sender');

// every error path
throws(fn () => new Engine('/nonexistent/fraud.idx', null, $library), MikiwameException::IO, '/nonexistent/fraud.idx', 'missing index');
throws(fn () => new Engine($corrupted, null, $library), MikiwameException::INDEX_FORMAT, 'rebuild', 'corrupted index');
throws(fn () => new Engine($index, ['alert_threshold' => 'high'], $library), MikiwameException::INVALID_INPUT, 'shop', 'bad shop');
throws(fn () => new Engine($index, null, '/nonexistent/libmikiwame.so'), 0, 'MIKIWAME_LIBRARY', 'missing library');
throws(fn () => $engine->score(['order_id' => 'x', 'amount' => 'lots']), MikiwameException::INVALID_INPUT, 'amount', 'bad field');
throws(fn () => $engine->score(['order_id' => "\xff"]), 0, 'UTF-8', 'invalid UTF-8 order');
throws(fn () => $engine->score(['order_id' => NAN]), 0, 'JSON', 'unencodable order');
throws(fn () => $engine->checkAddress("\xe6\x9d"), MikiwameException::INVALID_UTF8, 'UTF-8', 'invalid UTF-8 address');
throws(fn () => $engine->checkAddress('   '), MikiwameException::INVALID_INPUT, 'empty', 'empty address');
throws(fn () => $engine->checkAddress("東京\0都"), MikiwameException::INVALID_INPUT, 'NUL', 'NUL byte');
throws(fn () => Address::normalize('', $library), MikiwameException::INVALID_INPUT, 'empty', 'empty normalize');
throws(fn () => Impersonation::screen(['url' => 'https://a.jp'], 'no-such-brand', $library), MikiwameException::INVALID_INPUT, 'no-such-brand', 'unknown brand');

// destruction frees the engine; many engines in a row must not leak or crash
for ($i = 0; $i < 20; $i++) {
    $e = new Engine($index, null, $library);
    check($e->score(['order_id' => "L-$i"])['order_id'] === "L-$i", 'reopened engine');
    unset($e);
}
unset($engine);

if ($failures > 0) {
    fwrite(STDERR, "$failures checks failed\n");
    exit(1);
}
echo "PHP tests passed\n";
