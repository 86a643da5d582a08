/* Runs the box firmware in simavr in real time: its UART on a new pty (path printed), buttons pressed from stdin, LEDs reported on stdout. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "sim_avr.h"
#include "sim_elf.h"
#include "sim_irq.h"
#include "sim_cycle_timers.h"
#include "avr_uart.h"
#include "avr_ioport.h"
#include "avr_eeprom.h"

/* Usage: boxsim FIRMWARE.elf [EEPROM_FILE]
 * stdout: "PTY /dev/pts/N" once, then "LED <name> <0|1>" on every LED change.
 * stdin:  "press N" (button N, 1-based, held 100 ms), "quit".
 * The EEPROM is loaded from and saved to EEPROM_FILE, so the boot counter survives a restart. */

#define FREQUENCY 16000000UL
static avr_t *avr;
static int master_fd = -1;
static avr_irq_t *uart_in;
static int uart_xon = 1;
static volatile sig_atomic_t quit;
static avr_irq_t *button_irq[5];
static unsigned char rx_buf[1024];
static size_t rx_len, rx_done;

static void uart_out_hook (struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq; (void)param;
  unsigned char byte = (unsigned char)value;
  if (write(master_fd, &byte, 1) < 0 && errno != EAGAIN && errno != EIO) perror("write pty");
}
static void xon_hook (struct avr_irq_t *irq, uint32_t value, void *param) { (void)irq; (void)value; (void)param; uart_xon = 1; }
static void xoff_hook (struct avr_irq_t *irq, uint32_t value, void *param) { (void)irq; (void)value; (void)param; uart_xon = 0; }

static const char *led_names[8] = { "green", "yellow", "red", 0, 0, "activity", 0, 0 };
static void led_hook (struct avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  intptr_t pin = (intptr_t)param;
  if (pin == 5) return; /* the activity LED blinks on every frame: too chatty */
  printf("LED %s %u\n", led_names[pin], value ? 1u : 0u);
  fflush(stdout);
}

static avr_cycle_count_t release_button (struct avr_t *a, avr_cycle_count_t when, void *param) {
  (void)a; (void)when;
  avr_raise_irq((avr_irq_t *)param, 1);
  return 0;
}

static void on_signal (int sig) { (void)sig; quit = 1; }

static void eeprom_io (const char *file, int save) {
  if (file == NULL) return;
  uint8_t ee[1024];
  avr_eeprom_desc_t desc = { .ee = ee, .offset = 0, .size = sizeof ee };
  if (save) {
    avr_ioctl(avr, AVR_IOCTL_EEPROM_GET, &desc);
    FILE *f = fopen(file, "wb");
    if (f) { fwrite(desc.ee, 1, sizeof ee, f); fclose(f); }
  } else {
    FILE *f = fopen(file, "rb");
    if (!f) return;
    size_t n = fread(ee, 1, sizeof ee, f);
    fclose(f);
    desc.size = (uint32_t)n;
    if (n > 0) avr_ioctl(avr, AVR_IOCTL_EEPROM_SET, &desc);
  }
}

static void handle_command (char *line) {
  int button;
  if (sscanf(line, "press %d", &button) == 1 && button >= 1 && button <= 5) {
    avr_irq_t *irq = button_irq[button - 1];
    avr_raise_irq(irq, 0);
    avr_cycle_timer_register_usec(avr, 100000, release_button, irq);
  } else if (strncmp(line, "quit", 4) == 0) {
    quit = 1;
  }
}

static uint64_t wall_us (void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int main (int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s FIRMWARE.elf [EEPROM_FILE]\n", argv[0]); return 2; }
  elf_firmware_t firmware;
  memset(&firmware, 0, sizeof firmware);
  if (elf_read_firmware(argv[1], &firmware) != 0) { fprintf(stderr, "cannot read %s\n", argv[1]); return 1; }
  strcpy(firmware.mmcu, "atmega328p");
  firmware.frequency = FREQUENCY;
  avr = avr_make_mcu_by_name(firmware.mmcu);
  if (!avr) { fprintf(stderr, "simavr has no %s\n", firmware.mmcu); return 1; }
  avr_init(avr);
  avr->log = 0;
  avr_load_firmware(avr, &firmware);
  const char *eeprom_file = argc > 2 ? argv[2] : NULL;
  eeprom_io(eeprom_file, 0);

  master_fd = posix_openpt(O_RDWR | O_NOCTTY);
  if (master_fd < 0 || grantpt(master_fd) || unlockpt(master_fd)) { perror("pty"); return 1; }
  const char *slave = ptsname(master_fd);
  /* Holding the slave open keeps the master readable while the bridge closes and reopens its end. */
  int slave_fd = open(slave, O_RDWR | O_NOCTTY);
  struct termios tio;
  tcgetattr(slave_fd, &tio);
  cfmakeraw(&tio);
  tcsetattr(slave_fd, TCSANOW, &tio);
  fcntl(master_fd, F_SETFL, O_NONBLOCK);
  fcntl(STDIN_FILENO, F_SETFL, O_NONBLOCK);

  uart_in = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), uart_out_hook, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), xon_hook, NULL);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), xoff_hook, NULL);
  for (int i = 0; i < 5; i++) {
    button_irq[i] = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), 2 + i);
    avr_raise_irq(button_irq[i], 1); /* released: the pull-up */
  }
  for (intptr_t pin = 0; pin < 6; pin++) {
    if (led_names[pin]) avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('B'), (int)pin), led_hook, (void *)pin);
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  signal(SIGPIPE, SIG_IGN);
  printf("PTY %s\n", slave);
  fflush(stdout);

  char command[128];
  size_t command_len = 0;
  uint64_t start = wall_us();
  unsigned long steps = 0;
  while (!quit) {
    int state = avr_run(avr);
    if (state == cpu_Done || state == cpu_Crashed) { fprintf(stderr, "firmware stopped (%d)\n", state); break; }
    if (++steps % 2000 != 0) continue;
    /* Bytes from the bridge, one at a time while the UART has room. */
    if (rx_done == rx_len) {
      ssize_t n = read(master_fd, rx_buf, sizeof rx_buf);
      rx_len = n > 0 ? (size_t)n : 0;
      rx_done = 0;
    }
    while (rx_done < rx_len && uart_xon) avr_raise_irq(uart_in, rx_buf[rx_done++]);
    char c;
    ssize_t got;
    while ((got = read(STDIN_FILENO, &c, 1)) == 1) {
      if (c == '\n') { command[command_len] = 0; handle_command(command); command_len = 0; }
      else if (command_len < sizeof command - 1) command[command_len++] = c;
    }
    if (got == 0) quit = 1; /* whoever drives us went away */
    /* Real time: simavr runs far faster than 16 MHz, and the firmware's timeouts are in its own milliseconds. */
    uint64_t sim_us = avr->cycle / (FREQUENCY / 1000000u);
    uint64_t elapsed = wall_us() - start;
    if (sim_us > elapsed + 2000) usleep((useconds_t)(sim_us - elapsed));
  }
  eeprom_io(eeprom_file, 1);
  close(slave_fd);
  close(master_fd);
  return 0;
}
