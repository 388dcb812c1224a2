package dev.parley.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.StompTestClient;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static dev.parley.support.Destinations.ERRORS;
import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.Destinations.typing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Parley's own meters (docs/metrics.md) move when their events happen, as the application's
 * {@link MeterRegistry} holds them and as {@code /actuator/prometheus} shows them. The scrape
 * endpoint is not exposed by default (application.yml): this context exposes it, so it is a
 * context of its own. (The slow-client cut-off is provoked in {@code SlowClientIntegrationTests},
 * the queued bytes in {@code DeliveryMetersTests}.)
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.datasource.url=jdbc:sqlite:target/test-db/parley-metrics-${random.uuid}.db",
                "server.shutdown=immediate",
                "management.endpoints.web.exposure.include=health,prometheus,metrics" })
class MetricsIntegrationTests extends ParleyIntegrationTestBase {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Autowired
    private MeterRegistry meters;

    @Test
    void connectionsAreCountedByTheTransportTheyUse() {
        for (Transport transport : Transport.values()) {
            // this context's only connections are its tests': the ones closed before (an
            // xhr-polling session ends up to 16 s after its client, README) are gone first
            await("connections of earlier tests closed").atMost(CLOSE_WAIT)
                .until(() -> connections("websocket") + connections("xhr-streaming") + connections("xhr-polling") == 0);
            String tag = transportTag(transport);
            StompTestClient client = StompTestClient.connect(this.port, transport,
                    this.api.claim(ParleyApi.uniqueName("conn")));

            await(transport + " counted").atMost(WAIT).until(() -> connections(tag) == 1);
            assertThat(scraped("parley_connections{transport=\"" + tag + "\"}"))
                .as("/actuator/prometheus, %s", transport).isEqualTo(1);

            client.close();
            await(transport + " no longer counted").atMost(CLOSE_WAIT).until(() -> connections(tag) == 0);
        }
    }

    @Test
    void joinsStoredMessagesDeliveriesAndStoreCommitsAreCounted() {
        String room = ParleyApi.uniqueName("room");
        StompTestClient alice = connected("alice");
        Subscription aliceEvents = alice.subscribe(topic(room));
        Subscription bobEvents = connected("bob").subscribe(topic(room));
        double joins = counter("parley.joins");

        alice.send(join(room), Map.of());
        aliceEvents.nextMatching(isType("JOIN"));
        bobEvents.nextMatching(isType("JOIN"));
        assertThat(counter("parley.joins")).as("joins").isEqualTo(joins + 1);

        double stored = counter("parley.messages.stored");
        double deliveries = deliveries();
        long commits = this.meters.get("parley.store.commit").timer().count();
        alice.send(send(room), Map.of("text", "counted", "clientId", "c-1"));
        aliceEvents.nextMatching(isType("MESSAGE"));
        bobEvents.nextMatching(isType("MESSAGE"));

        assertThat(counter("parley.messages.stored")).as("messages stored").isEqualTo(stored + 1);
        assertThat(this.meters.get("parley.store.commit").timer().count()).as("store commits timed")
            .isGreaterThan(commits);
        assertThat(deliveries()).as("one delivery per subscriber").isGreaterThanOrEqualTo(deliveries + 2);

        // proven on the scrape endpoint too, once the send has settled
        assertThat(scraped("parley_messages_stored_total")).isEqualTo(counter("parley.messages.stored"));
        assertThat(scraped("parley_store_commit_seconds_count"))
            .isEqualTo(this.meters.get("parley.store.commit").timer().count());
        assertThat(scrape()).contains("parley_store_commit_seconds_bucket{le=");
    }

    @Test
    void errorRepliesAreCountedByCode() {
        String room = ParleyApi.uniqueName("room");
        StompTestClient client = connected("err");
        Subscription errors = client.subscribe(ERRORS);
        double notJoined = errorReplies("NOT_JOINED");
        double rateLimited = errorReplies("RATE_LIMITED");

        client.send(send(room), Map.of("text", "not joined yet"));

        assertThat(errors.next().path("code").asString()).isEqualTo("NOT_JOINED");
        assertThat(errorReplies("NOT_JOINED")).isEqualTo(notJoined + 1);
        assertThat(errorReplies("RATE_LIMITED")).as("another code").isEqualTo(rateLimited);
        assertThat(scraped("parley_error_replies_total{code=\"NOT_JOINED\"}")).isEqualTo(notJoined + 1);
    }

    @Test
    void rateLimitRefusalsAreCountedForSendsAndTyping() {
        String room = ParleyApi.uniqueName("room");
        StompTestClient client = connected("fast");
        Subscription errors = client.subscribe(ERRORS);
        Subscription events = client.subscribe(topic(room));
        client.send(join(room), Map.of());
        events.nextMatching(isType("JOIN"));
        double sends = refusals("send");
        double typing = refusals("typing");

        // the burst is 10 and 5 a second come back: 30 at once meet the limit (typing: 2 and 2)
        int sent = 30;
        for (int i = 0; i < sent; i++) {
            client.send(send(room), Map.of("text", "m" + i));
            client.send(typing(room), Map.of("typing", true));
        }

        // every send ends stored (its MESSAGE) or refused (its RATE_LIMITED reply)
        List<JsonNode> seen = new ArrayList<>();
        List<JsonNode> refused = new ArrayList<>();
        await("an outcome for each send").atMost(WAIT).until(() -> {
            events.messages().drainTo(seen);
            errors.messages().drainTo(refused);
            return seen.stream().filter(isType("MESSAGE")).count() + refused.size() == sent;
        });
        assertThat(refused).as("refused sends").isNotEmpty()
            .allSatisfy(error -> assertThat(error.path("code").asString()).isEqualTo("RATE_LIMITED"));
        assertThat(refusals("send") - sends).as("each RATE_LIMITED reply counted").isEqualTo(refused.size());
        assertThat(refusals("typing")).as("typing events dropped beyond 2 a second").isGreaterThan(typing);
    }

    @Test
    void catchUpRequestsAreCounted() {
        double before = counter("parley.catchup.requests");

        assertThat(this.api.get("/api/rooms/" + ParleyApi.uniqueName("room") + "/messages?after=0").status())
            .isEqualTo(200);
        assertThat(this.api.get("/api/rooms/" + ParleyApi.uniqueName("room") + "/messages").status())
            .as("the latest page is no catch-up").isEqualTo(200);

        assertThat(counter("parley.catchup.requests")).isEqualTo(before + 1);
    }

    // ------------------------------------------------------------------ helpers

    private StompTestClient connected(String name) {
        return StompTestClient.connect(this.port, Transport.WEBSOCKET, this.api.claim(ParleyApi.uniqueName(name)));
    }

    private static String transportTag(Transport transport) {
        return switch (transport) {
            case WEBSOCKET, SOCKJS_WEBSOCKET -> "websocket";
            case SOCKJS_XHR_STREAMING -> "xhr-streaming";
            case SOCKJS_XHR_POLLING -> "xhr-polling";
        };
    }

    private double connections(String transport) {
        return this.meters.get("parley.connections").tag("transport", transport).gauge().value();
    }

    private double counter(String name) {
        return this.meters.get(name).counter().count();
    }

    private double deliveries() {
        return this.meters.get("parley.deliveries").functionCounter().count();
    }

    private double errorReplies(String code) {
        return this.meters.get("parley.error.replies").tag("code", code).counter().count();
    }

    private double refusals(String limit) {
        return this.meters.get("parley.rate.limit.refusals").tag("limit", limit).counter().count();
    }

    /** What Prometheus reads: its text format, as its scraper asks for it. */
    private String scrape() {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/actuator/prometheus"))
            .header("Accept", "text/plain;version=0.0.4")
            .timeout(WAIT)
            .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("/actuator/prometheus: %s", response.body()).isEqualTo(200);
            return response.body();
        }
        catch (IOException ex) {
            throw new AssertionError("GET /actuator/prometheus failed", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    /** The value of one sample ({@code name{labels}} exactly as exposed) on the scrape endpoint. */
    private double scraped(String sample) {
        String text = scrape();
        Matcher value = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
        assertThat(value.find()).as("%s in%n%s", sample, text).isTrue();
        return Double.parseDouble(value.group(1));
    }

    private static Predicate<JsonNode> isType(String type) {
        return event -> type.equals(event.path("type").asString());
    }
}
