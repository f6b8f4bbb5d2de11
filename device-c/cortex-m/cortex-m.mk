# Cortex-M3 builds (included by ../Makefile): the library with -Os -mthumb, four size probes
# linked with --gc-sections (their maps say what each part costs in flash), the qemu test image
# and the STM32 example. The library needs only memcpy and memset from newlib.
ARM_CC = arm-none-eabi-gcc
CM3 = -mcpu=cortex-m3 -mthumb -Os -ffunction-sections -fdata-sections -fstack-usage -fcallgraph-info=su
CM3_DIR = $(BUILD)/cm3
CM3_LIB_OBJ = $(patsubst src/%.c,$(CM3_DIR)/%.o,$(LIB_SRC))
CM3_LINK = -nostartfiles -Wl,--gc-sections -lc -lgcc

.PHONY: cortex-m cortex-m-qemu
cortex-m: $(CM3_DIR)/probe-patch.elf $(CM3_DIR)/probe-verify.elf $(CM3_DIR)/probe-protocol.elf \
          $(CM3_DIR)/probe-manifest.elf stm32-example

$(CM3_DIR)/%.o: src/%.c $(HDR)
	@mkdir -p $(CM3_DIR)
	$(ARM_CC) $(WARN) $(CM3) $(INC) -c $< -o $@

$(CM3_DIR)/probe-%.elf: cortex-m/probe-%.c $(CM3_LIB_OBJ)
	$(ARM_CC) $(WARN) $(CM3) $(INC) -Wl,-e,probe_entry -Wl,-Map,$(CM3_DIR)/probe-$*.map -o $@ $< $(CM3_LIB_OBJ) $(CM3_LINK)

# make cortex-m-qemu OLD=old.bin PATCH=x.updelta
QEMU_SRC = cortex-m/startup.c cortex-m/qemu-main.c
cortex-m-qemu: $(CM3_LIB_OBJ) $(QEMU_SRC) cortex-m/images.S cortex-m/mps2-an385.ld
	$(ARM_CC) $(WARN) $(CM3) $(INC) -DOLD_PATH=$(abspath $(OLD)) -DPATCH_PATH=$(abspath $(PATCH)) \
	  -T cortex-m/mps2-an385.ld -Wl,-Map,$(CM3_DIR)/qemu.map -o $(CM3_DIR)/qemu.elf \
	  $(QEMU_SRC) cortex-m/images.S $(CM3_LIB_OBJ) $(CM3_LINK)

include examples/stm32f1/example.mk
