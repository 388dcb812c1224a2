package dev.parley.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProbesTests {

    @Test
    void readsUserAndSystemTimeFromProcStat() {
        // the command name may hold spaces and parentheses
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 90000 0 12 0 1234 567 0 0 20 0 45 0 "
                + "100 5000000000 100000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        assertEquals((1234 + 567) * 10_000_000L, Probes.cpuNanosFromStat(stat, 100));
        assertEquals((1234 + 567) * 1_000_000L, Probes.cpuNanosFromStat(stat, 1000));
    }

    @Test
    void readsHeapUsedOfG1() {
        String g1 = """
                4242:
                 garbage-first heap   total 262144K, used 51234K [0x00000000e0000000, 0x0000000100000000)
                  region size 1024K, 12 young (12288K), 2 survivors (2048K)
                 Metaspace       used 68435K, committed 69056K, reserved 1114112K
                  class space    used 9012K, committed 9344K, reserved 1048576K
                """;
        assertEquals(51234L * 1024, Probes.heapUsedFromHeapInfo(g1));
    }

    @Test
    void sumsTheGenerationsOfOtherCollectors() {
        String serial = """
                4242:
                 def new generation   total 9792K, used 1000K [0x1, 0x2, 0x3)
                  eden space 8704K,  11% used [0x1, 0x2, 0x3)
                 tenured generation   total 21888K, used 2000K [0x1, 0x2, 0x3)
                 Metaspace       used 500K, committed 600K, reserved 1000K
                """;
        assertEquals(3000L * 1024, Probes.heapUsedFromHeapInfo(serial));
        assertEquals(-1, Probes.heapUsedFromHeapInfo("4242:\nno such thing\n"));
    }

    @Test
    void readsItsOwnProcess() {
        long pid = ProcessHandle.current().pid();
        assertTrue(Probes.processRssBytes(pid) > 1_000_000);
        assertTrue(Probes.processCpuNanos(pid) >= 0);
        assertTrue(Probes.ownCpuNanos() > 0);
        assertEquals(-1, Probes.processRssBytes(Long.MAX_VALUE));
    }
}
