package dev.crossway.linux.device;

import dev.crossway.spi.TransportOptions;
import java.io.IOException;

/**
 * Supplies a {@link Device} other than the kernel's for one VM transport, found by
 * {@link java.util.ServiceLoader}: an emulated device for tests. The product ships none.
 *
 * <p>A provider is used only when the transport's {@code device-provider} option names it
 * ({@link Devices}); being on the module path selects nothing. The constructor must be cheap;
 * {@link #newDevice} does the work.
 */
public interface DeviceProvider {

    /** The transport this device is for, e.g. {@code virtgpu}. */
    String transport();

    /** The name the {@code device-provider} option selects it by, e.g. {@code emulator}. */
    String name();

    /** A device configured from the transport's options. */
    Device newDevice(TransportOptions options) throws IOException;
}
