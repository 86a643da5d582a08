/* Hài Lòng button box firmware for the ATmega328P: debounced buttons, LEDs, EEPROM boot counter, HL1 frames, retransmit until ACK, unacknowledged presses kept in EEPROM across resets. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <avr/eeprom.h>
#include <avr/interrupt.h>
#include <avr/io.h>
#include <util/atomic.h>
#include <util/crc16.h>

#ifndef F_CPU
#define F_CPU 16000000UL
#endif
#ifndef BAUD
#define BAUD 9600UL
#endif
#ifndef BOX_SERIAL
#define BOX_SERIAL "HL-0000"
#endif
#ifndef BOX_BUTTONS
#define BOX_BUTTONS 4
#endif
#if BOX_BUTTONS < 3 || BOX_BUTTONS > 5
#error "BOX_BUTTONS must be 3, 4 or 5 (the buttons are PD2..PD6; the scale has 3-5 levels)"
#endif
#define FIRMWARE_VERSION "1.0.0"
#define PROTOCOL_VERSION "HL1"

#define RETRANSMIT_MS 1000UL   /* resend the oldest unacknowledged press after this */
#define BEAT_MS 5000UL         /* heartbeat period */
#define THANKS_MS 2000UL       /* how long the thank-you LED stays on */
#define DEBOUNCE_MS 20         /* a button must read the same this long to count */
#define QUEUE_SIZE 16          /* presses kept while unacknowledged */
#define LINE_MAX 80            /* longest accepted line, as the bridge's */

/* Buttons: PD2..PD6 (Arduino D2..D6), to ground, internal pull-ups. Button 1 is the leftmost, highest level. */
#define BUTTON_SHIFT 2
/* LEDs on PORTB: PB0 (D8) green thank-you/ready, PB1 (D9) yellow offline, PB2 (D10) red error, PB5 (D13) activity. */
#define LED_GREEN _BV(PB0)
#define LED_YELLOW _BV(PB1)
#define LED_RED _BV(PB2)
#define LED_ACTIVITY _BV(PB5)

/* EEPROM: boot counter at 0 (uint32), then an optional serial number (16 chars, NUL-padded) at 8,
 * then from 32 a ring of press slots. A press is written to the next slot before it is sent, and marked
 * done when it is acknowledged, so a reset (DTR on port open, USB power lost) keeps unacknowledged presses.
 * The ring spreads the writes: each slot is written once per lap of 99 presses (~10 million presses for
 * the 100,000 cycles a cell is rated for). */
#define EE_BOOT ((uint32_t *)0)
#define EE_SERIAL ((uint8_t *)8)
#define EE_SLOTS 32
#define SLOT_COUNT 99
#define SLOT_STATE_PENDING 0x01  /* written last: a press half-written at a power cut is not pending */
#define SLOT_STATE_DONE 0x00     /* 0xFF: never written */
typedef struct { uint32_t boot; uint32_t seq; uint8_t button; uint8_t state; } slot_t;
#define SLOT_ADDR(i) ((uint8_t *)(EE_SLOTS + (uint16_t)(i) * sizeof(slot_t)))

/* `boot` is the power-up the press was made in: a press kept in EEPROM is sent with its own boot and seq. */
typedef struct { uint32_t boot; uint32_t seq; uint32_t pressed_ms; uint8_t button; uint8_t slot; } press_t;

static volatile uint32_t now_ms;
/* Presses found by the timer interrupt, handed to the main loop (single producer, single consumer). */
static volatile uint8_t event_buttons[8];
static volatile uint32_t event_ms[8];
static volatile uint8_t event_head, event_tail;
/* Received bytes (single producer: the RX interrupt). */
static volatile uint8_t rx_ring[128];
static volatile uint8_t rx_head, rx_tail;

static press_t queue[QUEUE_SIZE];
static uint8_t queue_len;
static uint32_t boot_counter, next_seq;
static uint32_t last_send_ms, last_beat_ms, thanks_until_ms;
static uint8_t head_sent;
static uint8_t next_slot;
static char serial_number[17];

static uint32_t millis (void) {
  uint32_t value;
  ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { value = now_ms; }
  return value;
}

/* 1 kHz tick: time, and debouncing of every button in one place. */
ISR(TIMER0_COMPA_vect) {
  static uint8_t stable = 0x1f, counts[5];
  now_ms++;
  uint8_t raw = (uint8_t)(~PIND >> BUTTON_SHIFT) & 0x1f; /* 1 = pressed */
  for (uint8_t i = 0; i < BOX_BUTTONS; i++) {
    uint8_t bit = (uint8_t)(1u << i);
    uint8_t pressed = (uint8_t)((raw & bit) != 0);
    uint8_t was = (uint8_t)((stable & bit) == 0);
    if (pressed == was) { counts[i] = 0; continue; }
    if (++counts[i] < DEBOUNCE_MS) continue;
    counts[i] = 0;
    stable ^= bit;
    if (pressed) {
      uint8_t next = (uint8_t)((event_head + 1) & 7);
      if (next != event_tail) { event_buttons[event_head] = (uint8_t)(i + 1); event_ms[event_head] = now_ms; event_head = next; }
    }
  }
}

ISR(USART_RX_vect) {
  uint8_t byte = UDR0;
  uint8_t next = (uint8_t)((rx_head + 1) & 127);
  if (next != rx_tail) { rx_ring[rx_head] = byte; rx_head = next; }
}

static void uart_putc (char c) {
  while (!(UCSR0A & _BV(UDRE0))) {}
  UDR0 = (uint8_t)c;
}

/* Sends `$BODY*CRC\n`. */
static void send_frame (const char *body) {
  uint16_t crc = 0;
  static const char hex[] = "0123456789ABCDEF";
  uart_putc('$');
  for (const char *p = body; *p; p++) { uart_putc(*p); crc = _crc_xmodem_update(crc, (uint8_t)*p); }
  uart_putc('*');
  for (int8_t shift = 12; shift >= 0; shift -= 4) uart_putc(hex[(crc >> shift) & 0xf]);
  uart_putc('\n');
  PINB = LED_ACTIVITY; /* writing PINB toggles: a blink per frame */
}

static char *append (char *out, const char *text) {
  while (*text) *out++ = *text++;
  *out = 0;
  return out;
}

static char *append_number (char *out, uint32_t value) {
  *out++ = ',';
  ultoa(value, out, 10);
  return out + strlen(out);
}

static void send_hello (void) {
  char body[64];
  char *p = append(body, "HELLO," PROTOCOL_VERSION ",");
  p = append(p, serial_number);
  p = append(p, "," FIRMWARE_VERSION);
  p = append_number(p, boot_counter);
  append_number(p, BOX_BUTTONS);
  send_frame(body);
}

static void send_head (void) {
  char body[64];
  press_t *press = &queue[0];
  char *p = append(body, "RATE");
  p = append_number(p, press->boot);
  p = append_number(p, press->seq);
  p = append_number(p, press->button);
  append_number(p, millis() - press->pressed_ms);
  send_frame(body);
  last_send_ms = millis();
  head_sent = 1;
}

static void send_beat (void) {
  char body[48];
  char *p = append(body, "BEAT");
  p = append_number(p, boot_counter);
  p = append_number(p, millis() / 1000);
  append_number(p, queue_len);
  send_frame(body);
}

static void drop_head (void) {
  eeprom_update_byte(SLOT_ADDR(queue[0].slot) + offsetof(slot_t, state), SLOT_STATE_DONE);
  memmove(&queue[0], &queue[1], sizeof(press_t) * (QUEUE_SIZE - 1));
  queue_len--;
  head_sent = 0;
}

static void set_led (const char *pattern) {
  if (strcmp(pattern, "THANKS") == 0) { PORTB |= LED_GREEN; thanks_until_ms = millis() + THANKS_MS; }
  else if (strcmp(pattern, "READY") == 0) PORTB &= (uint8_t)~(LED_YELLOW | LED_RED);
  else if (strcmp(pattern, "OFFLINE") == 0) { PORTB |= LED_YELLOW; PORTB &= (uint8_t)~LED_RED; }
  else if (strcmp(pattern, "ERROR") == 0) PORTB |= LED_RED;
}

/* One received line: checks the CRC, then acts on ACK, NAK, LED and WHO; anything else is ignored (never NAKed back, so no ping-pong). */
static void handle_line (char *line) {
  char *start = strrchr(line, '$');
  if (start == NULL) return;
  char *star = strchr(start, '*');
  if (star == NULL || strlen(star) != 5) return;
  *star = 0;
  char *body = start + 1;
  uint16_t crc = 0;
  for (char *p = body; *p; p++) crc = _crc_xmodem_update(crc, (uint8_t)*p);
  if (crc != (uint16_t)strtoul(star + 1, NULL, 16)) return;
  if (strncmp(body, "ACK,", 4) == 0) {
    char *end;
    uint32_t boot = strtoul(body + 4, &end, 10);
    if (*end != ',') return;
    uint32_t seq = strtoul(end + 1, NULL, 10);
    if (queue_len > 0 && queue[0].boot == boot && queue[0].seq == seq) drop_head();
  } else if (strncmp(body, "NAK,", 4) == 0) {
    if (strcmp(body + 4, "NOHELLO") == 0) send_hello();
    if (queue_len > 0) head_sent = 0; /* resend now */
  } else if (strncmp(body, "LED,", 4) == 0) {
    set_led(body + 4);
  } else if (strcmp(body, "WHO") == 0) {
    send_hello();
    if (queue_len > 0) head_sent = 0;
  }
}

static void poll_uart (void) {
  static char line[LINE_MAX + 2];
  static uint8_t len, overlong;
  while (rx_tail != rx_head) {
    char c = (char)rx_ring[rx_tail];
    rx_tail = (uint8_t)((rx_tail + 1) & 127);
    if (c == '\n') {
      if (!overlong) { line[len] = 0; handle_line(line); }
      len = 0; overlong = 0;
    } else if (c == '$') {
      /* A frame starts: whatever came before it on the line is noise, however long (the protocol's rule). */
      len = 0; overlong = 0;
      line[len++] = c;
    } else if (c == '\r') {
    } else if (len < LINE_MAX) {
      line[len++] = c;
    } else {
      overlong = 1;
    }
  }
}

static void poll_buttons (void) {
  while (event_tail != event_head) {
    uint8_t button = event_buttons[event_tail];
    uint32_t at = event_ms[event_tail];
    event_tail = (uint8_t)((event_tail + 1) & 7);
    if (queue_len == QUEUE_SIZE) { PORTB |= LED_RED; continue; } /* full: the press is refused, visibly */
    press_t *press = &queue[queue_len];
    press->boot = boot_counter;
    press->seq = ++next_seq;
    press->button = button;
    press->pressed_ms = at;
    press->slot = next_slot;
    slot_t slot = { boot_counter, press->seq, button, 0xFF };
    eeprom_update_block(&slot, SLOT_ADDR(next_slot), offsetof(slot_t, state));
    eeprom_update_byte(SLOT_ADDR(next_slot) + offsetof(slot_t, state), SLOT_STATE_PENDING);
    next_slot = (uint8_t)((next_slot + 1) % SLOT_COUNT);
    queue_len++;
  }
}

static uint8_t newer (const slot_t *a, const slot_t *b) {
  return a->boot > b->boot || (a->boot == b->boot && a->seq > b->seq);
}

/* At power-up: the presses still pending in EEPROM go back in the queue, oldest first, and writing
 * continues after the newest slot. Their age is unknown across the power cut: they are sent with the
 * time since this power-up, so they are dated no later than it. */
static void load_pending (void) {
  slot_t newest = { 0, 0, 0, 0xFF };
  uint8_t newest_index = SLOT_COUNT - 1;
  for (uint8_t i = 0; i < SLOT_COUNT; i++) {
    slot_t slot;
    eeprom_read_block(&slot, SLOT_ADDR(i), sizeof slot);
    if (slot.state == 0xFF) continue;
    if (newest.state == 0xFF || newer(&slot, &newest)) { newest = slot; newest_index = i; }
    if (slot.state != SLOT_STATE_PENDING || slot.button < 1 || slot.button > BOX_BUTTONS || slot.boot >= boot_counter) continue;
    /* Insert in (boot, seq) order; when more than the queue holds are pending, the oldest are kept. */
    uint8_t at = queue_len;
    while (at > 0 && newer(&(slot_t){ queue[at - 1].boot, queue[at - 1].seq, 0, 0 }, &slot)) at--;
    if (queue_len == QUEUE_SIZE) { if (at == QUEUE_SIZE) continue; queue_len--; }
    memmove(&queue[at + 1], &queue[at], sizeof(press_t) * (queue_len - at));
    queue[at] = (press_t){ slot.boot, slot.seq, 0, slot.button, i };
    queue_len++;
  }
  next_slot = (uint8_t)((newest_index + 1) % SLOT_COUNT);
}

static void load_serial (void) {
  eeprom_read_block(serial_number, EE_SERIAL, 16);
  serial_number[16] = 0;
  uint8_t ok = serial_number[0] != 0;
  for (char *p = serial_number; *p; p++) {
    char c = *p;
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) ok = 0;
  }
  if (!ok) { strncpy(serial_number, BOX_SERIAL, 16); serial_number[16] = 0; }
}

int main (void) {
  DDRD &= (uint8_t)~(0x1f << BUTTON_SHIFT);
  PORTD |= (uint8_t)(0x1f << BUTTON_SHIFT);
  DDRB |= LED_GREEN | LED_YELLOW | LED_RED | LED_ACTIVITY;
  PORTB |= LED_YELLOW; /* offline until the bridge says otherwise */

  /* The boot counter makes (serial, boot, seq) unique across power cycles; erased EEPROM reads 0xFFFFFFFF: first boot is 1. */
  uint32_t stored = eeprom_read_dword(EE_BOOT);
  boot_counter = stored == 0xFFFFFFFFUL ? 1 : stored + 1;
  eeprom_update_dword(EE_BOOT, boot_counter);
  load_serial();
  load_pending();

  UBRR0 = (uint16_t)((F_CPU / (16UL * BAUD)) - 1);
  UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
  UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);

  TCCR0A = _BV(WGM01);
  TCCR0B = _BV(CS01) | _BV(CS00);     /* /64 */
  OCR0A = (uint8_t)(F_CPU / 64 / 1000 - 1); /* 1 kHz */
  TIMSK0 = _BV(OCIE0A);
  sei();

  send_hello();
  last_beat_ms = millis();
  for (;;) {
    poll_uart();
    poll_buttons();
    uint32_t now = millis();
    if (queue_len > 0 && (!head_sent || now - last_send_ms >= RETRANSMIT_MS)) send_head();
    if (now - last_beat_ms >= BEAT_MS) { last_beat_ms = now; send_beat(); }
    if (thanks_until_ms != 0 && (int32_t)(now - thanks_until_ms) >= 0) { PORTB &= (uint8_t)~LED_GREEN; thanks_until_ms = 0; }
  }
}
