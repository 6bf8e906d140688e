package dev.crossway.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransportProvidersTest {
    /** A provider whose availability is fixed; open is never called here. */
    private record Fixed(String name, int priority, String cause) implements TransportProvider {
        @Override
        public String description() {
            return name + " for tests";
        }

        @Override
        public String unavailabilityCause(TransportOptions options) {
            return cause;
        }

        @Override
        public Transport open(TransportOptions options) {
            throw new UnsupportedOperationException();
        }
    }

    private static final TransportOptions NONE = key -> null;

    @Test
    void autoChoosesTheAvailableProviderWithTheHighestPriorityNotTheFirstName() {
        TransportProviders providers = TransportProviders.of(List.of(
                new Fixed("aaa-local", 0, null), new Fixed("zzz-vm", 200, null), new Fixed("mmm-legacy-vm", 100, null)), List.of());
        assertThat(providers.all()).extracting(TransportProvider::name).containsExactly("zzz-vm", "mmm-legacy-vm", "aaa-local");
        assertThat(providers.select("auto", n -> NONE).name()).isEqualTo("zzz-vm");
        assertThat(providers.select("", n -> NONE).name()).isEqualTo("zzz-vm");
    }

    @Test
    void autoSkipsWhatCannotRunAndAsksEachProviderWithItsOwnOptions() {
        TransportProvider vm = new TransportProvider() {
            public String name() {
                return "vm";
            }

            public String description() {
                return "a VM transport";
            }

            public int priority() {
                return 200;
            }

            public String unavailabilityCause(TransportOptions options) {
                return options.get("device") == null ? "no device" : null;
            }

            public Transport open(TransportOptions options) {
                throw new UnsupportedOperationException();
            }
        };
        TransportProviders providers = TransportProviders.of(List.of(vm, new Fixed("local", 0, null)), List.of());
        assertThat(providers.select("auto", n -> NONE).name()).isEqualTo("local");
        Map<String, TransportOptions> perName = Map.of("vm", key -> key.equals("device") ? "/dev/dri/renderD128" : null, "local", NONE);
        assertThat(providers.select("auto", perName::get).name()).isEqualTo("vm");
    }

    @Test
    void anExplicitNameWinsEvenWhenItCannotRun() {
        TransportProviders providers = TransportProviders.of(List.of(new Fixed("vm", 200, "no device"), new Fixed("local", 0, null)),
                List.of());
        assertThat(providers.select("vm", n -> NONE).name()).isEqualTo("vm");
    }

    @Test
    void whenNothingCanRunTheErrorListsEveryProviderWithItsCause() {
        TransportProviders providers = TransportProviders.of(List.of(new Fixed("vm", 200, "no virtio-gpu device"),
                new Fixed("local", 0, "no compositor socket")), List.of("broken.Provider: not a subtype"));
        assertThatThrownBy(() -> providers.select("auto", n -> NONE))
                .hasMessageContaining("no transport can run here")
                .hasMessageContaining("vm: unavailable: no virtio-gpu device")
                .hasMessageContaining("local: unavailable: no compositor socket")
                .hasMessageContaining("failed to load: broken.Provider");
        assertThatThrownBy(() -> providers.select("virtwl", n -> NONE)).hasMessageContaining("no transport named 'virtwl'");
    }
}
