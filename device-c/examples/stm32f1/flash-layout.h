/* Where things live in the STM32F103xE's 512 KiB of flash (2 KiB pages). Adjust to your part. */
#ifndef FLASH_LAYOUT_H
#define FLASH_LAYOUT_H

#define FLASH_PAGE 2048u
#define UPDATER_BASE 0x08000000u   /* 32 KiB: this updater (a bootloader)              */
#define SLOT_A_BASE 0x08008000u    /* 192 KiB: the running application (the old image) */
#define SLOT_B_BASE 0x08038000u    /* 192 KiB: the new image is written here          */
#define SLOT_SIZE (192u * 1024u)
#define PATCH_BASE 0x08068000u     /* 72 KiB: the downloaded patch, its length first  */
#define PATCH_MAX (72u * 1024u - 4u)
#define STATE_BASE 0x0807a000u     /* 2 x 12 KiB: the patcher's two checkpoint slots  */
#define STATE_SLOT_SIZE (12u * 1024u)

#endif
