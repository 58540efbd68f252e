#ifndef HOTCART_CHIREDIS_SHIM_H
#define HOTCART_CHIREDIS_SHIM_H
// hiredis 0.14 (Debian libhiredis-dev): the reply reader and the argv command formatter.
// The variadic redisCommand is not importable into Swift; only the argv API is used.
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#endif
