/*
 * tinysense_port.h: the board port's one entry point. Call it right after
 * jerry_init() and before any script or snapshot runs:
 *
 *   jerry_init(JERRY_INIT_EMPTY);
 *   if (tinysense_port_init() != 0) ...;   // defines the global `tinysense`
 */
#ifndef TINYSENSE_PORT_H
#define TINYSENSE_PORT_H

#include <stdint.h>

int32_t tinysense_port_init(void);

#endif
