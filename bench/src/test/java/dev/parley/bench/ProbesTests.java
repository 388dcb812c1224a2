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
    void countsSocketsTheServerClosedAndTheClientDidNot() {
        // 0x4B1B = 19227; states: 0A LISTEN, 01 ESTABLISHED, 04 FIN_WAIT1, 05 FIN_WAIT2, 08 CLOSE_WAIT
        String tcp = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0100007F:4B1B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
                   1: 0100007F:4B1B 0100007F:9C40 04 003D0900:00000000 01:00000000 00000000     0        0 2 1
                   2: 0100007F:4B1B 0100007F:9C41 01 00000000:00000000 00:00000000 00000000     0        0 3 1
                   3: 0100007F:4B1B 0100007F:9C42 05 00000000:00000000 00:00000000 00000000     0        0 4 1
                   4: 0100007F:9C42 0100007F:4B1B 08 00000000:00000000 00:00000000 00000000     0        0 5 1
                """;
        assertEquals(2, Probes.countClosedByLocalSide(tcp, 0x4B1B));
        String tcp6 = """
                  sl  local_address                         remote_address                        st tx_queue rx_queue
                   0: 0000000000000000FFFF00000100007F:4B1B 0000000000000000FFFF00000100007F:9C43 04 00000000:00000000
                """;
        assertEquals(1, Probes.countClosedByLocalSide(tcp6, 0x4B1B));
        assertEquals(0, Probes.countClosedByLocalSide(tcp6, 80));
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
