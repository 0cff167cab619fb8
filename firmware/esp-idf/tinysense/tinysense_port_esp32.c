/*
 * tinysense_port_esp32.c: the tinysense_hal of an ESP32 board on ESP-IDF >= 5.2.
 *
 * - memory: heap_caps_malloc (4-byte aligned), PSRAM first with CONFIG_TINYSENSE_USE_PSRAM
 * - flash: tinysense.flash(label) maps a data partition (type CONFIG_TINYSENSE_MODEL_PARTITION_TYPE)
 *   with esp_partition_mmap, once per label, never unmapped
 * - I2C (new master driver), I2S standard-mode microphone, esp32-camera: each optional (Kconfig)
 *
 * Written against the ESP-IDF v5.2+ API; NOT compiled in this repository's CI (no ESP-IDF
 * toolchain there): see docs/jerryscript.md, "What was verified".
 */
#include <string.h>

#include "esp_heap_caps.h"
#include "esp_partition.h"
#include "sdkconfig.h"
#include "tinysense_jerry.h"
#include "tinysense_port.h"

#if CONFIG_TINYSENSE_I2C_PORT >= 0
#include "driver/i2c_master.h"
#endif
#if CONFIG_TINYSENSE_I2S_MIC
#include "driver/i2s_std.h"
#endif
#if CONFIG_TINYSENSE_CAMERA_ESP32_CAMERA
#include "esp_camera.h"
#endif

/* ---- memory ------------------------------------------------------------- */

static void *port_alloc(void *ctx, uint32_t bytes) {
  void *p = NULL;
  (void)ctx;
#if CONFIG_TINYSENSE_USE_PSRAM
  p = heap_caps_malloc(bytes, MALLOC_CAP_SPIRAM | MALLOC_CAP_8BIT);
#endif
  if (p == NULL) p = heap_caps_malloc(bytes, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT);
  return p;
}

static void port_free(void *ctx, void *ptr, uint32_t bytes) {
  (void)ctx;
  (void)bytes;
  heap_caps_free(ptr);
}

static int32_t port_native_free(void *ctx) {
  (void)ctx;
  return (int32_t)heap_caps_get_free_size(MALLOC_CAP_8BIT);
}

static int32_t port_native_largest(void *ctx) {
  (void)ctx;
  return (int32_t)heap_caps_get_largest_free_block(MALLOC_CAP_8BIT);
}

/* ---- flash partitions ----------------------------------------------------- */

#define MAX_MAPS 4
static struct {
  char label[17];
  const uint8_t *data;
  uint32_t bytes;
} maps[MAX_MAPS];

static int32_t port_flash_map(void *ctx, const char *name, const uint8_t **data, uint32_t *bytes) {
  const esp_partition_t *part;
  const void *ptr = NULL;
  esp_partition_mmap_handle_t handle;
  uint32_t size;
  const uint8_t *b;
  int i, free_slot = -1;
  (void)ctx;
  for (i = 0; i < MAX_MAPS; i++) {
    if (maps[i].data != NULL && strcmp(maps[i].label, name) == 0) {
      *data = maps[i].data;
      *bytes = maps[i].bytes;
      return 0;
    }
    if (maps[i].data == NULL && free_slot < 0) free_slot = i;
  }
  if (free_slot < 0 || strlen(name) >= sizeof maps[0].label) return -1;
  part = esp_partition_find_first((esp_partition_type_t)CONFIG_TINYSENSE_MODEL_PARTITION_TYPE,
                                  ESP_PARTITION_SUBTYPE_ANY, name);
  if (part == NULL) return -1;
  if (esp_partition_mmap(part, 0, part->size, ESP_PARTITION_MMAP_DATA, &ptr, &handle) != ESP_OK) return -1;
  /* Partitions start 4 KB aligned, so the mapping is 4-byte aligned as the glue needs. */
  b = (const uint8_t *)ptr;
  size = part->size;
  /* A model pack says how long it is (header bytes 8..11): expose exactly that. */
  if (size >= 64 && b[0] == 'T' && b[1] == 'S' && b[2] == 'P' && b[3] == 'K') {
    uint32_t declared = (uint32_t)b[8] | ((uint32_t)b[9] << 8) | ((uint32_t)b[10] << 16) | ((uint32_t)b[11] << 24);
    if (declared <= size) size = declared;
  }
  strcpy(maps[free_slot].label, name);
  maps[free_slot].data = b;
  maps[free_slot].bytes = size;
  *data = b;
  *bytes = size;
  return 0;
}

/* ---- I2C ------------------------------------------------------------------- */

#if CONFIG_TINYSENSE_I2C_PORT >= 0
static i2c_master_bus_handle_t i2c_bus;
static struct {
  uint8_t address;
  i2c_master_dev_handle_t dev;
} i2c_devs[4];

static i2c_master_dev_handle_t i2c_device(uint8_t address) {
  int i;
  if (i2c_bus == NULL) {
    i2c_master_bus_config_t bus = {0};
    bus.i2c_port = CONFIG_TINYSENSE_I2C_PORT;
    bus.sda_io_num = CONFIG_TINYSENSE_I2C_SDA;
    bus.scl_io_num = CONFIG_TINYSENSE_I2C_SCL;
    bus.clk_source = I2C_CLK_SRC_DEFAULT;
    bus.glitch_ignore_cnt = 7;
    bus.flags.enable_internal_pullup = true;
    if (i2c_new_master_bus(&bus, &i2c_bus) != ESP_OK) return NULL;
  }
  for (i = 0; i < 4; i++) {
    if (i2c_devs[i].dev != NULL && i2c_devs[i].address == address) return i2c_devs[i].dev;
  }
  for (i = 0; i < 4; i++) {
    if (i2c_devs[i].dev == NULL) {
      i2c_device_config_t dev = {0};
      dev.dev_addr_length = I2C_ADDR_BIT_LEN_7;
      dev.device_address = address;
      dev.scl_speed_hz = 400000;
      if (i2c_master_bus_add_device(i2c_bus, &dev, &i2c_devs[i].dev) != ESP_OK) return NULL;
      i2c_devs[i].address = address;
      return i2c_devs[i].dev;
    }
  }
  return NULL;
}

static int32_t port_i2c(void *ctx, uint8_t address, const uint8_t *w, uint32_t wn, uint8_t *r, uint32_t rn) {
  i2c_master_dev_handle_t dev = i2c_device(address);
  esp_err_t err;
  (void)ctx;
  if (dev == NULL) return -1;
  err = rn == 0 ? i2c_master_transmit(dev, w, wn, 50) : i2c_master_transmit_receive(dev, w, wn, r, rn, 50);
  return err == ESP_OK ? (int32_t)rn : -1;
}
#endif

/* ---- I2S microphone --------------------------------------------------------- */

#if CONFIG_TINYSENSE_I2S_MIC
static i2s_chan_handle_t mic;

static int32_t port_mic_start(void *ctx, uint32_t rate) {
  i2s_chan_config_t chan = I2S_CHANNEL_DEFAULT_CONFIG(I2S_NUM_AUTO, I2S_ROLE_MASTER);
  i2s_std_config_t std = {
      .clk_cfg = I2S_STD_CLK_DEFAULT_CONFIG(rate),
      .slot_cfg = I2S_STD_PHILIPS_SLOT_DEFAULT_CONFIG(I2S_DATA_BIT_WIDTH_32BIT, I2S_SLOT_MODE_MONO),
      .gpio_cfg = {.mclk = I2S_GPIO_UNUSED,
                   .bclk = CONFIG_TINYSENSE_I2S_BCLK,
                   .ws = CONFIG_TINYSENSE_I2S_WS,
                   .dout = I2S_GPIO_UNUSED,
                   .din = CONFIG_TINYSENSE_I2S_DIN},
  };
  (void)ctx;
  if (mic != NULL) return 0;
  std.slot_cfg.slot_mask = I2S_STD_SLOT_LEFT;
  if (i2s_new_channel(&chan, NULL, &mic) != ESP_OK) return -1;
  if (i2s_channel_init_std_mode(mic, &std) != ESP_OK || i2s_channel_enable(mic) != ESP_OK) {
    i2s_del_channel(mic);
    mic = NULL;
    return -1;
  }
  return 0;
}

/* 24-bit samples in 32-bit slots (INMP441, SPH0645): keep the top 16 bits. */
static int32_t port_mic_read(void *ctx, int16_t *samples, uint32_t count, uint32_t timeout_ms) {
  static int32_t raw[128];
  uint32_t done = 0;
  (void)ctx;
  if (mic == NULL) return -1;
  while (done < count) {
    size_t want = count - done < 128 ? count - done : 128, got = 0, i;
    if (i2s_channel_read(mic, raw, want * 4, &got, timeout_ms) != ESP_OK && got == 0) break;
    for (i = 0; i < got / 4; i++) samples[done + i] = (int16_t)(raw[i] >> 16);
    done += (uint32_t)(got / 4);
    if (got / 4 < want) break;
  }
  return (int32_t)done;
}

static int32_t port_mic_stop(void *ctx) {
  (void)ctx;
  if (mic == NULL) return 0;
  i2s_channel_disable(mic);
  i2s_del_channel(mic);
  mic = NULL;
  return 0;
}
#endif

/* ---- camera ------------------------------------------------------------------- */

#if CONFIG_TINYSENSE_CAMERA_ESP32_CAMERA
static int32_t port_camera(void *ctx, uint8_t *gray, uint32_t width, uint32_t height, uint32_t timeout_ms) {
  camera_fb_t *fb = esp_camera_fb_get();
  int32_t status = -1;
  (void)ctx;
  (void)timeout_ms; /* esp32-camera has its own frame timeout */
  if (fb == NULL) return -1;
  if (fb->format == PIXFORMAT_GRAYSCALE && fb->width == width && fb->height == height && fb->len >= width * height) {
    memcpy(gray, fb->buf, width * height);
    status = 0;
  }
  esp_camera_fb_return(fb);
  return status;
}
#endif

static const tinysense_hal esp32_hal = {
    NULL,
    port_alloc,
    port_free,
    port_native_free,
    port_native_largest,
    port_flash_map,
#if CONFIG_TINYSENSE_I2C_PORT >= 0
    port_i2c,
#else
    NULL,
#endif
#if CONFIG_TINYSENSE_I2S_MIC
    port_mic_start,
    port_mic_read,
    port_mic_stop,
#else
    NULL,
    NULL,
    NULL,
#endif
#if CONFIG_TINYSENSE_CAMERA_ESP32_CAMERA
    port_camera,
#else
    NULL,
#endif
};

int32_t tinysense_port_init(void) {
  tinysense_jerry_config config;
  config.hal = &esp32_hal;
  config.native_threshold = CONFIG_TINYSENSE_NATIVE_THRESHOLD;
  return tinysense_jerry_init(&config);
}
