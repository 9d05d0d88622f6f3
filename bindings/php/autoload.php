<?php
// PSR-4 autoloading of Mikiwame\ without Composer (Composer users require vendor/autoload.php).
spl_autoload_register(static function (string $class): void {
    if (str_starts_with($class, 'Mikiwame\\')) {
        $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, 9)) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
