//! Starting the second Cortex-M33 of the SSE-200.
//!
//! In the SSE-200 (and QEMU's model of it, `hw/arm/armsse.c` and
//! `hw/misc/iotkit-sysctl.c`), CPU 1 comes out of power-on held by the
//! `CPUWAIT` register of the system control block (reset value `0b10`: CPU 1
//! waits). CPU 0 releases it:
//!
//! 1. write the address of CPU 1's vector table to `INITSVTOR1` (its reset
//!    value is `0x1000_0000`, CPU 0's table, whose reset handler would run
//!    the C runtime start-up a second time over live data);
//! 2. clear bit 1 of `CPUWAIT`: CPU 1 resets, loads its stack pointer and
//!    reset vector from that table, and runs.
//!
//! CPU 1's table is a copy of CPU 0's (so a fault on CPU 1 reaches the same
//! handlers), in RAM, with its own initial stack pointer, reset handler,
//! SysTick handler and worker-interrupt handler. Each core has its own
//! SysTick and its own NVIC, so the two entries differ per core.

use core::cell::UnsafeCell;
use core::ptr::{read_volatile, write_volatile};

use cortex_m::peripheral::SCB;

/// The SSE-200 system control registers (Secure alias).
const SYSCTL: usize = 0x5002_1000;
/// `INITSVTOR1`: CPU 1's vector table address at its reset.
const INITSVTOR1: *mut u32 = (SYSCTL + 0x114) as *mut u32;
/// `CPUWAIT`: bit `n` holds CPU `n` in wait.
const CPUWAIT: *mut u32 = (SYSCTL + 0x118) as *mut u32;

/// Vector table entries of an ARMv8-M Mainline core as cortex-m-rt lays
/// them out: 16 system entries and 480 interrupts.
const VECTORS: usize = 16 + 480;
/// Index of SysTick in a vector table.
const SYSTICK: usize = 15;

/// CPU 1's vector table: 496 words, aligned to the next power of two of its
/// size as VTOR requires.
#[repr(C, align(2048))]
struct VectorTable(UnsafeCell<[u32; VECTORS]>);

// SAFETY: written once by CPU 0 before CPU 1 is released, read only by CPU
// 1's hardware afterwards.
unsafe impl Sync for VectorTable {}

static CORE1_VECTORS: VectorTable = VectorTable(UnsafeCell::new([0; VECTORS]));

/// Bytes of CPU 1's stack.
const STACK_BYTES: usize = 16 * 1024;

/// CPU 1's stack, 8-byte aligned as the AAPCS requires.
#[repr(C, align(8))]
struct Stack(UnsafeCell<[u8; STACK_BYTES]>);

// SAFETY: only CPU 1 uses it, as its stack, after it is released.
unsafe impl Sync for Stack {}

static CORE1_STACK: Stack = Stack(UnsafeCell::new([0; STACK_BYTES]));

/// The handlers CPU 1 gets in place of CPU 0's.
pub struct Core1Handlers {
    /// Its reset handler: where it starts.
    pub reset: unsafe extern "C" fn() -> !,
    /// Its SysTick handler.
    pub systick: extern "C" fn(),
    /// Its handler for interrupt `irq`.
    pub irq: (u16, extern "C" fn()),
}

/// Builds CPU 1's vector table and releases CPU 1 from `CPUWAIT`. Call it
/// once, from CPU 0, after everything CPU 1 reads is initialised.
pub fn start(scb: &SCB, handlers: &Core1Handlers) {
    let table = CORE1_VECTORS.0.get().cast::<u32>();
    let own = scb.vtor.read() as *const u32;
    let stack_top = CORE1_STACK.0.get().cast::<u8>().wrapping_add(STACK_BYTES);
    let (irq, irq_handler) = handlers.irq;
    // SAFETY: `own` is CPU 0's vector table (VTOR), `VECTORS` words long by
    // cortex-m-rt's layout for this architecture; `table` is our own
    // `VECTORS`-word static, which CPU 1 does not read before it is
    // released below; every index is below `VECTORS`.
    unsafe {
        for i in 0..VECTORS {
            write_volatile(table.add(i), read_volatile(own.add(i)));
        }
        write_volatile(table, stack_top as u32);
        write_volatile(table.add(1), handlers.reset as usize as u32);
        write_volatile(table.add(SYSTICK), handlers.systick as usize as u32);
        write_volatile(
            table.add(16 + usize::from(irq)),
            irq_handler as usize as u32,
        );
    }
    // The table and every static CPU 1 reads are written before the release.
    cortex_m::asm::dsb();
    // SAFETY: `INITSVTOR1` and `CPUWAIT` are the SSE-200's system control
    // registers (memory-mapped, Secure, always present on this board);
    // clearing CPUWAIT bit 1 only releases CPU 1, which starts at the table
    // just written.
    unsafe {
        write_volatile(INITSVTOR1, table as u32);
        let wait = read_volatile(CPUWAIT);
        write_volatile(CPUWAIT, wait & !0b10);
    }
}
