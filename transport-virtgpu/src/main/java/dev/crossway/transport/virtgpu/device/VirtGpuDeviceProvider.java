package dev.crossway.transport.virtgpu.device;

import dev.crossway.spi.TransportOptions;
import java.io.IOException;

/**
 * Supplies a {@link VirtGpuDevice} other than the kernel's, found by {@link java.util.ServiceLoader}:
 * an emulated device for tests. The product ships none.
 *
 * <p>Lookup order (in the virtgpu transport): the {@code device-provider} option names one
 * ({@code kernel} is the built-in one); without it, a provider found on the module path wins over the
 * kernel, and the transport logs that it is using it. So putting an emulator's jar on the module path
 * is what selects it, and the product, which has none, always talks to the kernel.
 *
 * <p>The constructor must be cheap; {@link #newDevice} does the work.
 */
public interface VirtGpuDeviceProvider {

    /** The name the {@code device-provider} option selects it by, e.g. {@code emulator}. */
    String name();

    /** A device configured from the transport's options. */
    VirtGpuDevice newDevice(TransportOptions options) throws IOException;
}
