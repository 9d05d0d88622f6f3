<?php
// Score one order from PHP: php bindings/php/examples/score.php INDEX
// (libmikiwame.so from $MIKIWAME_LIBRARY or the system library path).
require __DIR__ . '/../autoload.php'; // with Composer: require 'vendor/autoload.php';

use Mikiwame\Engine;
use Mikiwame\MikiwameException;

try {
    $engine = new Engine($argv[1], ['alert_threshold' => 20]);
    $assessment = $engine->score([
        'order_id' => 'A-1001',
        'amount' => 39800,
        'buyer' => ['name' => '山田太郎', 'email' => 'taro@example.jp'],
        'shipping' => ['address' => '東京都世田谷区池尻2-31-12-203'],
        'items' => [['sku' => 'GC-10000', 'category' => 'gift_card', 'quantity' => 2]],
    ]);
    echo json_encode($assessment, JSON_UNESCAPED_UNICODE), "\n";
    if ($assessment['alert']) {
        echo "hold order {$assessment['order_id']}: score {$assessment['score']}, address {$assessment['address_match']['level']}\n";
    }
} catch (MikiwameException $e) {
    fwrite(STDERR, "mikiwame: {$e->getMessage()}\n");
    exit(1);
}
