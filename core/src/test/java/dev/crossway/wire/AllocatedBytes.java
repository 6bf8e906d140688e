package dev.crossway.wire;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Bytes the current thread has allocated so far ({@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes},
 * reached reflectively: dev.crossway.core reads no java.management). Tests that a hot path makes no
 * garbage count with it; they never time.
 */
public final class AllocatedBytes {
    private final MethodHandle handle;

    public AllocatedBytes() throws ReflectiveOperationException {
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
        Class<?> bean = Class.forName("com.sun.management.ThreadMXBean");
        handle = MethodHandles.publicLookup().findVirtual(bean, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
                .bindTo(threads);
    }

    public long now() throws Throwable {
        return (long) handle.invoke();
    }
}
