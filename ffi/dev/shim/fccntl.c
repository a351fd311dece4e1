/*
 * The variadic half of fccntl(int fd, int cmd, ...).
 *
 * Stable Rust cannot define a variadic function. The exported fccntl is a
 * naked function in src/fccntl.rs that only jumps here, leaving the
 * caller's registers and stack as they were, so this function receives
 * the call exactly as a C fccntl would. It takes the single argument the
 * command has: a uint32_t for the two commands that set flags (the caller
 * passes an int or a promoted uint16_t), a pointer for the others, and
 * nothing for a command it does not know. Then it hands fd, cmd and that
 * argument to the Rust side, which does the work.
 *
 * Both functions are hidden: the declaration below makes the Rust symbol
 * hidden as well (a symbol gets the most restrictive visibility of all its
 * references), so neither name is exported by libouroboros-dev.
 */

#include <ouroboros/fccntl.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define O7S_HIDDEN __attribute__((visibility("hidden")))

/* src/fccntl.rs */
O7S_HIDDEN int o7s_dev_fccntl_arg(int fd, int cmd, void * ptr, uint32_t val);

O7S_HIDDEN int o7s_dev_fccntl_va(int fd, int cmd, ...);

int o7s_dev_fccntl_va(int fd, int cmd, ...)
{
        va_list  ap;
        void *   ptr = NULL;
        uint32_t val = 0;

        va_start(ap, cmd);

        switch (cmd) {
        case FLOWSFLAGS:
        case FRCTSFLAGS:
                val = va_arg(ap, uint32_t);
                break;
        case FLOWSRCVTIMEO:
        case FLOWGRCVTIMEO:
        case FLOWSSNDTIMEO:
        case FLOWGSNDTIMEO:
        case FLOWGQOSSPEC:
        case FLOWGFLAGS:
        case FLOWGRXQLEN:
        case FLOWGTXQLEN:
        case FRCTGFLAGS:
                ptr = va_arg(ap, void *);
                break;
        default:
                break;
        }

        va_end(ap);

        return o7s_dev_fccntl_arg(fd, cmd, ptr, val);
}
