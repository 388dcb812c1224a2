package dev.parley.cluster;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.parley.support.ParleyApi;

import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract section 6a across two instances of the {@code cluster} profile: one client address has
 * one allowance of nickname claims (5 at once), wherever the load balancer sends its claims.
 */
class ClaimLimitClusterTests extends TwoInstances {

    @Override
    protected String[] instanceArguments() {
        return new String[] { "--chat.limits.claim-burst=5", "--chat.limits.claims-per-hour=20" };
    }

    @Test
    void claimsThroughBothInstancesShareOneAllowance() {
        ParleyApi onA = new ParleyApi(this.a.port());
        ParleyApi onB = new ParleyApi(this.b.port());
        for (int claim = 1; claim <= 5; claim++) {
            ((claim % 2 == 0) ? onA : onB).claim(uniqueName("shared"));
        }
        ParleyApi.Response refused = onA.post("/api/nicknames", Map.of("nickname", uniqueName("shared")));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isNotNull();
        assertThat(onB.post("/api/nicknames", Map.of("nickname", uniqueName("shared"))).status()).isEqualTo(429);
    }
}
