/* STM32F1 flash programming through the FLASH registers (PM0075 "STM32F10xxx Flash memory
 * microcontrollers programming manual" §2.3): unlock with the two keys, erase a page with PER/STRT,
 * program half-words with PG, and wait for BSY to clear after each step. */
#include "stm32f1-flash.h"

#define FLASH_R ((volatile uint32_t *)0x40022000u)
#define FLASH_KEYR FLASH_R[1]
#define FLASH_SR FLASH_R[3]
#define FLASH_CR FLASH_R[4]
#define FLASH_AR FLASH_R[5]
#define SR_BSY 0x01u
#define SR_PGERR 0x04u
#define SR_WRPRTERR 0x10u
#define SR_EOP 0x20u
#define CR_PG 0x01u
#define CR_PER 0x02u
#define CR_STRT 0x40u
#define CR_LOCK 0x80u
#define IWDG_KR (*(volatile uint32_t *)0x40003000u)

void flash_unlock(void) {
  if (FLASH_CR & CR_LOCK) {
    FLASH_KEYR = 0x45670123u;
    FLASH_KEYR = 0xcdef89abu;
  }
}

void flash_lock(void) { FLASH_CR |= CR_LOCK; }

static int wait_done(void) {
  uint32_t sr;
  while ((sr = FLASH_SR) & SR_BSY) {
  }
  FLASH_SR = SR_EOP | SR_PGERR | SR_WRPRTERR; /* write 1 to clear */
  return (sr & (SR_PGERR | SR_WRPRTERR)) ? -1 : 0;
}

int flash_erase_page(uint32_t address) {
  int rc;
  FLASH_CR |= CR_PER;
  FLASH_AR = address;
  FLASH_CR |= CR_STRT;
  rc = wait_done();
  FLASH_CR &= ~CR_PER;
  return rc;
}

int flash_program(uint32_t address, const uint8_t *data, uint32_t len) {
  uint32_t i;
  int rc = 0;
  FLASH_CR |= CR_PG;
  for (i = 0; i < len && rc == 0; i += 2) {
    uint16_t half = (uint16_t)(data[i] | (i + 1 < len ? data[i + 1] << 8 : 0xff00));
    *(volatile uint16_t *)(address + i) = half;
    rc = wait_done();
  }
  FLASH_CR &= ~CR_PG;
  return rc;
}

void watchdog_feed(void) { IWDG_KR = 0xaaaau; }
