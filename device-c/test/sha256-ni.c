/* Test and bench harness only: the SHA-256 block function on the x86 SHA extensions, plugged into
 * the library through -DUPDRAFT_SHA256_BLOCKS=updraft_sha256_ni_blocks, as a device would plug in
 * its hash engine. Built with -msha -msse4.1; used only where the CPU has SHA-NI. */
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "updraft/hash.h"

void updraft_sha256_ni_blocks(uint32_t state[8], const uint8_t *data, size_t blocks);


void updraft_sha256_ni_blocks(uint32_t state[8], const uint8_t *data, size_t blocks) {
  const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&state[0]), 0xb1); /* CDAB */
  __m128i state1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&state[4]), 0x1b); /* EFGH */
  __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);                                                   /* ABEF */
  state1 = _mm_blend_epi16(state1, tmp, 0xf0);                                                         /* CDGH */
  for (; blocks > 0; blocks--, data += 64) {
    __m128i abef = state0, cdgh = state1, w[4];
    int g;
    for (g = 0; g < 16; g++) {
      __m128i msg;
      if (g < 4) {
        w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(data + 16 * g)), swap);
      } else {
        __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]),
                                  _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
        w[g & 3] = _mm_sha256msg2_epu32(t, w[(g + 3) & 3]);
      }
      msg = _mm_add_epi32(w[g & 3], _mm_loadu_si128((const __m128i *)(const void *)&updraft_sha256_k[4 * g]));
      state1 = _mm_sha256rnds2_epu32(state1, state0, msg);
      state0 = _mm_sha256rnds2_epu32(state0, state1, _mm_shuffle_epi32(msg, 0x0e));
    }
    state0 = _mm_add_epi32(state0, abef);
    state1 = _mm_add_epi32(state1, cdgh);
  }
  tmp = _mm_shuffle_epi32(state0, 0x1b);    /* FEBA */
  state1 = _mm_shuffle_epi32(state1, 0xb1); /* DCHG */
  _mm_storeu_si128((__m128i *)(void *)&state[0], _mm_blend_epi16(tmp, state1, 0xf0)); /* DCBA */
  _mm_storeu_si128((__m128i *)(void *)&state[4], _mm_alignr_epi8(state1, tmp, 8));    /* HGFE */
}
