/* The PL011 UART of -M virt: registers and bits the guests use, and its interrupt. */
#pragma once

#include <stdint.h>

#define UART_BASE 0x09000000ul
#define UART_REG(off) (*(volatile uint32_t *)(UART_BASE + (off)))
#define UART_DR UART_REG(0x00)
#define UART_RSR UART_REG(0x04)
#define UART_FR UART_REG(0x18)
#define UART_LCR_H UART_REG(0x2C)
#define UART_IMSC UART_REG(0x38)
#define UART_ICR UART_REG(0x44)

#define UART_DR_OE (1u << 11)
#define UART_RSR_OE (1u << 3)
#define UART_FR_RXFE (1u << 4)
#define UART_LCR_H_FEN (1u << 4)
#define UART_LCR_H_WLEN8 (3u << 5)
#define UART_INT_RX (1u << 4)
#define UART_INT_RT (1u << 6)
#define UART_INT_ALL 0x7ffu

#define UART_IRQ 33 /* SPI 1 */
