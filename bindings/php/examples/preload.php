<?php
// opcache.preload script for PHP-FPM (ffi.enable=preload): loads libmikiwame once when the
// server starts; Mikiwame\Engine then finds it through the FFI scope "mikiwame".
// mikiwame_preload.h is src/mikiwame_php.h preceded by two lines:
//   #define FFI_SCOPE "mikiwame"
//   #define FFI_LIB "/usr/local/lib/libmikiwame.so"
FFI::load(getenv('MIKIWAME_PRELOAD_HEADER') ?: '/etc/php/mikiwame_preload.h');
require __DIR__ . '/../autoload.php';
