/*
 * tinysense_port_zephyr.c: the tinysense_hal of a Zephyr board (written for the nRF52840).
 *
 * - memory: k_aligned_alloc / k_free (CONFIG_HEAP_MEM_POOL_SIZE)
 * - flash: tinysense.flash("model") views the fixed partition with node label
 *   `tinysense_model` in place: the nRF52840's internal flash is memory-mapped
 * - I2C: the devicetree alias `tinysense-i2c`, when present
 * - I2S microphone: the alias `tinysense-i2s` with CONFIG_TINYSENSE_I2S_MIC
 * - no camera
 *
 * Written against Zephyr 3.x APIs; NOT compiled in this repository's CI (no Zephyr SDK there):
 * see docs/jerryscript.md, "What was verified".
 */
#include <string.h>
#include <zephyr/devicetree.h>
#include <zephyr/kernel.h>
#include <zephyr/storage/flash_map.h>

#include "tinysense_jerry.h"
#include "tinysense_port.h"

#if DT_NODE_EXISTS(DT_ALIAS(tinysense_i2c))
#include <zephyr/drivers/i2c.h>
#define HAVE_I2C 1
#endif
#if defined(CONFIG_TINYSENSE_I2S_MIC) && DT_NODE_EXISTS(DT_ALIAS(tinysense_i2s))
#include <zephyr/drivers/i2s.h>
#define HAVE_MIC 1
#endif

static void *port_alloc(void *ctx, uint32_t bytes) {
  (void)ctx;
  return k_aligned_alloc(4, bytes);
}

static void port_free(void *ctx, void *ptr, uint32_t bytes) {
  (void)ctx;
  (void)bytes;
  k_free(ptr);
}

#if DT_NODE_EXISTS(DT_NODELABEL(tinysense_model))
static int32_t port_flash_map(void *ctx, const char *name, const uint8_t **data, uint32_t *bytes) {
  const uint8_t *b;
  uint32_t size = FIXED_PARTITION_SIZE(tinysense_model);
  (void)ctx;
  if (strcmp(name, "model") != 0) return -1;
  /* Internal flash is mapped at its devicetree address (0 on the nRF52840). */
  b = (const uint8_t *)(uintptr_t)(DT_REG_ADDR(DT_CHOSEN(zephyr_flash)) + FIXED_PARTITION_OFFSET(tinysense_model));
  if (size >= 64 && b[0] == 'T' && b[1] == 'S' && b[2] == 'P' && b[3] == 'K') {
    uint32_t declared = (uint32_t)b[8] | ((uint32_t)b[9] << 8) | ((uint32_t)b[10] << 16) | ((uint32_t)b[11] << 24);
    if (declared <= size) size = declared;
  }
  *data = b;
  *bytes = size;
  return 0;
}
#define PORT_FLASH port_flash_map
#else
#define PORT_FLASH NULL
#endif

#ifdef HAVE_I2C
static const struct device *const i2c = DEVICE_DT_GET(DT_ALIAS(tinysense_i2c));

static int32_t port_i2c(void *ctx, uint8_t address, const uint8_t *w, uint32_t wn, uint8_t *r, uint32_t rn) {
  int err;
  (void)ctx;
  if (!device_is_ready(i2c)) return -1;
  err = rn == 0 ? i2c_write(i2c, w, wn, address) : i2c_write_read(i2c, address, w, wn, r, rn);
  return err == 0 ? (int32_t)rn : -1;
}
#define PORT_I2C port_i2c
#else
#define PORT_I2C NULL
#endif

#ifdef HAVE_MIC
#define BLOCK_BYTES (CONFIG_TINYSENSE_I2S_BLOCK_SAMPLES * 2)
K_MEM_SLAB_DEFINE_STATIC(mic_slab, BLOCK_BYTES, 4, 4);
static const struct device *const i2s = DEVICE_DT_GET(DT_ALIAS(tinysense_i2s));
static int mic_on;
static int16_t *pending;
static uint32_t pending_count, pending_at;
static void *pending_block;

static int32_t port_mic_start(void *ctx, uint32_t rate) {
  struct i2s_config cfg;
  (void)ctx;
  if (mic_on) return 0;
  if (!device_is_ready(i2s)) return -1;
  memset(&cfg, 0, sizeof cfg);
  cfg.word_size = 16;
  cfg.channels = 1;
  cfg.format = I2S_FMT_DATA_FORMAT_I2S;
  cfg.options = I2S_OPT_BIT_CLK_MASTER | I2S_OPT_FRAME_CLK_MASTER;
  cfg.frame_clk_freq = rate;
  cfg.mem_slab = &mic_slab;
  cfg.block_size = BLOCK_BYTES;
  cfg.timeout = 1000;
  if (i2s_configure(i2s, I2S_DIR_RX, &cfg) != 0 || i2s_trigger(i2s, I2S_DIR_RX, I2S_TRIGGER_START) != 0) return -1;
  mic_on = 1;
  return 0;
}

static int32_t port_mic_read(void *ctx, int16_t *samples, uint32_t count, uint32_t timeout_ms) {
  uint32_t done = 0;
  (void)ctx;
  (void)timeout_ms; /* the driver's cfg.timeout applies */
  if (!mic_on) return -1;
  while (done < count) {
    uint32_t n;
    if (pending == NULL) {
      size_t size;
      if (i2s_read(i2s, &pending_block, &size) != 0) break;
      pending = (int16_t *)pending_block;
      pending_count = (uint32_t)(size / 2);
      pending_at = 0;
    }
    n = pending_count - pending_at;
    if (n > count - done) n = count - done;
    memcpy(samples + done, pending + pending_at, n * 2);
    done += n;
    pending_at += n;
    if (pending_at == pending_count) {
      k_mem_slab_free(&mic_slab, pending_block);
      pending = NULL;
    }
  }
  return (int32_t)done;
}

static int32_t port_mic_stop(void *ctx) {
  (void)ctx;
  if (!mic_on) return 0;
  i2s_trigger(i2s, I2S_DIR_RX, I2S_TRIGGER_DROP);
  if (pending != NULL) {
    k_mem_slab_free(&mic_slab, pending_block);
    pending = NULL;
  }
  mic_on = 0;
  return 0;
}
#define PORT_MIC port_mic_start, port_mic_read, port_mic_stop
#else
#define PORT_MIC NULL, NULL, NULL
#endif

static const tinysense_hal zephyr_hal = {NULL, port_alloc, port_free, NULL, NULL, PORT_FLASH, PORT_I2C, PORT_MIC, NULL};

int32_t tinysense_port_init(void) {
  tinysense_jerry_config config;
  config.hal = &zephyr_hal;
  config.native_threshold = CONFIG_TINYSENSE_NATIVE_THRESHOLD;
  return tinysense_jerry_init(&config);
}
