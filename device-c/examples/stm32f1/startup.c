/* Minimal Cortex-M3 start-up for the example: vector table, .data copy, .bss clear, main().
 * A vendor start-up file (CMSIS startup_stm32f103xe.s) does the same with every interrupt named. */
#include <stdint.h>
#include <string.h>

extern uint32_t _data_load, _data_start, _data_end, _bss_start, _bss_end, _stack_top;
int main(void);
void reset_handler(void);
void default_handler(void);

typedef void (*handler_t)(void);
__attribute__((section(".vectors"), used)) static const handler_t vectors[16] = {
    (handler_t)(uintptr_t)&_stack_top, reset_handler, default_handler, default_handler, default_handler,
    default_handler, default_handler};

void default_handler(void) {
  for (;;) {
  }
}

void reset_handler(void) {
  memcpy(&_data_start, &_data_load, (size_t)((uint8_t *)&_data_end - (uint8_t *)&_data_start));
  memset(&_bss_start, 0, (size_t)((uint8_t *)&_bss_end - (uint8_t *)&_bss_start));
  (void)main();
  for (;;) {
  }
}
