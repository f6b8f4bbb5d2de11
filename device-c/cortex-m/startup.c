/* Bare-metal start for the qemu test image: the vector table, .data and .bss set-up, and ARM
 * semihosting (the "bkpt 0xab" calls QEMU answers with -semihosting) for output and the exit code. */
#include <stdint.h>
#include <string.h>

extern uint32_t _data_load, _data_start, _data_end, _bss_start, _bss_end, _stack_top;
int main(void);
void reset_handler(void);
void fault_handler(void);

typedef void (*handler_t)(void);
/* Entry 0 is the initial stack pointer, as an address; the others the reset and fault handlers. */
__attribute__((section(".vectors"), used)) static const handler_t vectors[16] = {
    (handler_t)(uintptr_t)&_stack_top, reset_handler, fault_handler, fault_handler, fault_handler, fault_handler,
    fault_handler};

static uint32_t semihost(uint32_t op, const void *arg) {
  register uint32_t r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void semihost_write(const char *text) { (void)semihost(0x04, text); } /* SYS_WRITE0 */

void semihost_exit(int code) {
  /* SYS_EXIT with ADP_Stopped_ApplicationExit (0) or ADP_Stopped_RunTimeErrorUnknown (1). */
  (void)semihost(0x18, (const void *)(uintptr_t)(code == 0 ? 0x20026u : 0x20023u));
  for (;;) {
  }
}

void fault_handler(void) {
  semihost_write("FAULT\n");
  semihost_exit(1);
}

void reset_handler(void) {
  memcpy(&_data_start, &_data_load, (size_t)((uint8_t *)&_data_end - (uint8_t *)&_data_start));
  memset(&_bss_start, 0, (size_t)((uint8_t *)&_bss_end - (uint8_t *)&_bss_start));
  semihost_exit(main());
}
