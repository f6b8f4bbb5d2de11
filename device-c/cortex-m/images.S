/* The old image and the patch, placed in "flash" next to the code (paths from the Makefile). */
#define STR2(x) #x
#define STR(x) STR2(x)
  .section .rodata.images, "a"
  .balign 4
  .global old_image, old_image_end, patch_data, patch_data_end
old_image:
  .incbin STR(OLD_PATH)
old_image_end:
  .balign 4
patch_data:
  .incbin STR(PATCH_PATH)
patch_data_end:
