package dev.crossway.linux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IssuedFdsTest {

    @Test
    void anIssuedFdIsFoundOnceAndAnythingElseIsNot() throws Exception {
        IssuedFds<String> issued = new IssuedFds<>();
        int[] pipe = Fds.pipe();
        issued.put(pipe[1], "bridge 1");
        assertThat(issued.take(pipe[0])).as("never issued").isNull();
        assertThat(issued.take(pipe[1])).isEqualTo("bridge 1");
        assertThat(issued.take(pipe[1])).as("taken already").isNull();
        assertThat(issued.size()).isZero();
        Fds.close(pipe[0]);
        Fds.close(pipe[1]);
    }

    @Test
    void aNumberClosedAndReusedIsNotTakenForWhatItWas() throws Exception {
        IssuedFds<String> issued = new IssuedFds<>();
        int memfd = Fds.memfd("issued", 4096);
        issued.put(memfd, "host buffer");
        Fds.close(memfd);
        int other = Fds.memfd("someone else's", 4096);
        assertThat(other).as("the kernel reuses the lowest free number").isEqualTo(memfd);
        assertThat(issued.take(other)).isNull();
        Fds.close(other);
    }
}
