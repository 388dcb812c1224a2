package dev.parley.support;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The common part of a {@link ParleyIntegrationTest} class: the application's {@link #port}, a
 * {@link ParleyApi} on it in {@link #api}, made before each test, and every STOMP client closed
 * after each test ({@link StompTestClient#closeAll()}).
 */
public abstract class ParleyIntegrationTestBase {

    @LocalServerPort
    protected int port;

    protected ParleyApi api;

    @BeforeEach
    void createApi() {
        this.api = new ParleyApi(this.port);
    }

    @AfterEach
    void closeAllStompClients() {
        StompTestClient.closeAll();
    }
}
