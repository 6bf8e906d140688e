package dev.crossway.linux.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DevicesTest {
    private final KernelDevice kernel = new KernelDevice("test nodes", List::of);

    @Test
    void theKernelsDeviceUnlessTheOptionNamesAnother() throws Exception {
        assertThat(Devices.select("virtwl", null, key -> null, () -> kernel)).isSameAs(kernel);
        assertThat(Devices.select("virtwl", "kernel", key -> null, () -> kernel)).isSameAs(kernel);
    }

    @Test
    void anUnknownProviderIsNamedWithWhatThereIs() {
        assertThatThrownBy(() -> Devices.select("virtwl", "emulator", key -> null, () -> kernel))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no virtwl device provider named 'emulator'")
                .hasMessageContaining("device-provider")
                .hasMessageContaining("available: kernel");
    }
}
