package dev.parley.config;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract section 6a: the public port serves {@code /actuator/health} alone, and says nothing
 * of what it checked; with the README's management port, metrics and details are served there.
 */
class OperationalEndpointsIntegrationTests {

    @Nested
    @ParleyIntegrationTest
    class ByDefault extends ParleyIntegrationTestBase {

        @Test
        void healthIsUpWithoutComponentsOrDetails() {
            ParleyApi.Response health = this.api.get("/actuator/health");
            assertThat(health.status()).isEqualTo(200);
            JsonNode json = health.json();
            assertThat(json.path("status").asString()).isEqualTo("UP");
            // the names of its groups (liveness, readiness) are all it adds
            assertThat(json.has("components")).as("%s", json).isFalse();
            assertThat(json.has("details")).as("%s", json).isFalse();
            assertThat(this.api.get("/actuator/health/readiness").json().has("components")).isFalse();
        }

        @Test
        void livenessAndReadinessAreOnThePublicPortForALoadBalancer() {
            assertThat(this.api.get("/livez").status()).isEqualTo(200);
            assertThat(this.api.get("/readyz").status()).isEqualTo(200);
        }

        @Test
        void metricsAndInfoAreNotServedOnThePublicPort() {
            assertThat(this.api.get("/actuator/metrics").status()).isEqualTo(404);
            assertThat(this.api.get("/actuator/metrics/jvm.memory.used").status()).isEqualTo(404);
            assertThat(this.api.get("/actuator/info").status()).isEqualTo(404);
            assertThat(this.api.get("/actuator/health/db").status()).isEqualTo(404);
        }
    }

    /** The README's "Operational endpoints" configuration, on a random management port. */
    @Nested
    @SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
            properties = { "spring.datasource.url=jdbc:sqlite:target/test-db/parley-ops-${random.uuid}.db",
                    "server.shutdown=immediate", "management.server.port=0",
                    "management.server.address=127.0.0.1",
                    "management.endpoints.web.exposure.include=health,info,metrics",
                    "management.endpoint.health.show-components=always",
                    "management.endpoint.health.show-details=always",
                    "management.endpoint.health.probes.add-additional-paths=true" })
    class OnAManagementPort extends ParleyIntegrationTestBase {

        @LocalManagementPort
        int managementPort;

        @Test
        void metricsAndHealthDetailsAreServedOnTheManagementPortOnly() {
            ParleyApi management = new ParleyApi(this.managementPort);
            assertThat(management.get("/actuator/metrics/jvm.memory.used").status()).isEqualTo(200);
            assertThat(management.get("/actuator/health").json().path("components").path("db").path("status")
                .asString()).isEqualTo("UP");
            assertThat(this.api.get("/actuator/metrics").status()).isEqualTo(404);
            assertThat(this.api.get("/actuator/health").status()).isEqualTo(404);
            // what a load balancer may still ask the public port
            assertThat(this.api.get("/readyz").status()).isEqualTo(200);
            // ready means the database answers; alive does not depend on it
            assertThat(management.get("/actuator/health/readiness").json().path("components").has("db")).isTrue();
            assertThat(management.get("/actuator/health/liveness").json().path("components").has("db")).isFalse();
        }
    }
}
