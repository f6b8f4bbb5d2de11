# The STM32F103 example (included by the library's Makefile): the updater linked with the library's
# Cortex-M3 objects, a minimal start-up file and newlib's memcpy/memset; no vendor HAL.
STM32_DIR = $(BUILD)/stm32f1
STM32_SRC = examples/stm32f1/startup.c examples/stm32f1/main.c examples/stm32f1/stm32f1-flash.c

.PHONY: stm32-example
stm32-example: $(STM32_DIR)/updraft-example.elf

$(STM32_DIR)/updraft-example.elf: $(STM32_SRC) $(CM3_LIB_OBJ) examples/stm32f1/stm32f103xe.ld $(wildcard examples/stm32f1/*.h)
	@mkdir -p $(STM32_DIR)
	$(ARM_CC) $(WARN) $(CM3) $(INC) -Iexamples/stm32f1 -T examples/stm32f1/stm32f103xe.ld \
	  -Wl,-Map,$(STM32_DIR)/updraft-example.map -o $@ $(STM32_SRC) $(CM3_LIB_OBJ) $(CM3_LINK)
	arm-none-eabi-objcopy -O binary $@ $(STM32_DIR)/updraft-example.bin
	arm-none-eabi-size $@
