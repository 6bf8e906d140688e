package dev.crossway.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.testsuite.rig.Clients;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code crossway doctor} in the guest, on the real virtio_gpu driver, with and without cross-domain. */
@ExtendWith(VmTier.class)
class VmDoctorIT {
    /** The check lines of doctor's {@code virtgpu (priority N): ...} entry, without their indent. */
    private static List<String> virtGpuChecks(String doctor) {
        List<String> lines = doctor.lines().toList();
        int start = lines.indexOf(lines.stream().filter(l -> l.strip().startsWith("virtgpu (")).findFirst().orElse(""));
        assertThat(start).as("a virtgpu entry in\n" + doctor).isGreaterThanOrEqualTo(0);
        return lines.subList(start + 1, lines.size()).stream().takeWhile(l -> l.startsWith("      ")).map(String::strip).toList();
    }

    @Test
    void everyVirtGpuCheckPassesOnTheRealDriverWithCrossDomain(VmSession session) {
        Clients.Result doctor = session.doctor();
        System.out.println("crossway doctor --transport virtgpu, in the guest (last line: seconds):\n" + doctor.stdout());
        assertThat(doctor.exitCode()).as(doctor.describe()).isZero();
        List<String> checks = virtGpuChecks(doctor.stdout());
        assertThat(checks).as("virtgpu checks").isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("ok "));
        assertThat(checks).anySatisfy(l -> assertThat(l).contains("/dev/dri/").contains("virtio_gpu"));
        assertThat(doctor.stdout()).contains("transport virtgpu (--transport): ok");
    }

    @Test
    void withoutCrossDomainDoctorNamesTheMissingCapabilityAndTheFix() {
        // Its own VM: QEMU's plain virtio-gpu-pci, a real virtio_gpu device without context types.
        try (Vm plain = Vm.boot("plain-gpu", Vm.Gpu.PLAIN, GuestFiles.fromSystemProperties())) {
            Clients.Result doctor = VmSession.timed(plain, "doctor --transport virtgpu");
            System.out.println("crossway doctor --transport virtgpu, in a guest with " + plain.gpu().device() + ":\n" + doctor.stdout());
            assertThat(doctor.exitCode()).as(doctor.describe()).isEqualTo(1);
            List<String> checks = virtGpuChecks(doctor.stdout());
            assertThat(checks.get(0)).as("the device itself is found").startsWith("ok ").contains("virtio_gpu");
            String missing = checks.stream().filter(l -> l.startsWith("missing ")).findFirst().orElse("");
            assertThat(missing).as("the first failing check, in\n" + doctor.stdout())
                    .contains("VIRTGPU_PARAM_")   // the capability the kernel reports missing
                    .contains("cross-domain");    // and the fix: a VMM with cross-domain context types
            assertThat(doctor.stdout()).contains("transport virtgpu (--transport): cannot run:");
        }
    }
}
