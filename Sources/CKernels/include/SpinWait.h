#ifndef MLAN_SPIN_WAIT_H
#define MLAN_SPIN_WAIT_H

/// Tells the core that the caller is busy-waiting (x86 `pause`, Arm `yield`): the loop then runs slower, uses less
/// power, and leaves the core's other hardware thread more of its resources. A no-op elsewhere.
static inline void mlan_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

#endif
