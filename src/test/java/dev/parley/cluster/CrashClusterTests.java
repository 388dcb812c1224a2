package dev.parley.cluster;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import dev.parley.message.CrashIntegrationTests;
import dev.parley.support.ClusterServices;
import dev.parley.support.ServerProcess;

/**
 * The crash test of the echo's durability on PostgreSQL: an instance of the {@code cluster}
 * profile killed with SIGKILL under traffic, three times, keeps every message anyone received
 * and every claim it granted. PostgreSQL's default {@code synchronous_commit=on} is what makes a
 * commit durable before it returns.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashClusterTests extends CrashIntegrationTests {

    private ClusterServices services;

    @BeforeAll
    void services() {
        this.services = new ClusterServices();
    }

    @AfterAll
    void dropServices() {
        if (this.services != null) {
            this.services.close();
        }
    }

    @Override
    protected ServerProcess startServer(Path jar, String... arguments) {
        return this.services.startInstance(arguments);
    }
}
