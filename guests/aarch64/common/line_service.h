/* A line service on the PL011 for the demo and the rr-bisect proof guest: bytes arrive by RX
 * interrupt while the guest sleeps in WFI, each complete line goes to `on_line` (without its
 * newline, NUL-terminated, at most LINE_SERVICE_MAX bytes: a longer line is cut there), and EOT
 * (Ctrl-D) or 50 ms of virtual time without input ends the session. It provides the guest's
 * exc_handler. */
#pragma once

#define LINE_SERVICE_MAX 256

/* Returns 1 when the session ended by EOT, 0 by the idle timeout. */
int serve_lines(void (*on_line)(const char *line, unsigned len));
