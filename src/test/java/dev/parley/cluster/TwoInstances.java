package dev.parley.cluster;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import dev.parley.support.ClusterServices;
import dev.parley.support.ServerProcess;
import dev.parley.support.StompTestClient;

/**
 * Two instances of the packaged jar in the {@code cluster} profile, {@link #a} and {@link #b},
 * on a database and Redis key prefix of this test class's own, for all its tests; clients are
 * closed after each test, the instances and the services' data after the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TwoInstances {

    protected ClusterServices services;

    protected ServerProcess a;

    protected ServerProcess b;

    /** Extra arguments of both instances. */
    protected String[] instanceArguments() {
        return new String[0];
    }

    @BeforeAll
    void startTwoInstances() {
        this.services = new ClusterServices();
        this.a = this.services.startInstance(instanceArguments());
        this.b = this.services.startInstance(instanceArguments());
    }

    @AfterAll
    void stopInstances() {
        if (this.services != null) {
            this.services.close();
        }
    }

    @AfterEach
    void closeClients() {
        StompTestClient.closeAll();
    }
}
