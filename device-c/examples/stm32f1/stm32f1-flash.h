/* Register-level flash programming for the STM32F1 (RM0008 §3.3.3, PM0075): unlock, page erase,
 * half-word programming. No HAL needed. */
#ifndef STM32F1_FLASH_H
#define STM32F1_FLASH_H

#include <stdint.h>

void flash_unlock(void);
void flash_lock(void);
/* 0 on success, -1 on a programming or write-protection error. */
int flash_erase_page(uint32_t address);
int flash_program(uint32_t address, const uint8_t *data, uint32_t len);
void watchdog_feed(void);

#endif
