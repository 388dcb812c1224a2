package dev.parley.identity;

import java.util.Map;
import java.util.stream.Stream;

import dev.parley.support.ParleyApi.Claim;
import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;
import dev.parley.support.StompTestClient.Refusal;
import dev.parley.support.StompTestClient.Subscription;
import dev.parley.support.StompTestClient.Transport;
import dev.parley.support.StompTestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.messaging.simp.stomp.StompHeaders;

import static dev.parley.support.Destinations.join;
import static dev.parley.support.Destinations.send;
import static dev.parley.support.Destinations.topic;
import static dev.parley.support.ParleyApi.uniqueName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract section 2 (identity) and the nickname claim of section 7: claiming over REST, and how
 * a STOMP CONNECT proves a claim.
 */
@ParleyIntegrationTest
class IdentityIntegrationTests extends ParleyIntegrationTestBase {

    private static final String TOKEN_PATTERN = "[A-Za-z0-9_-]{43,}";

    /** A string shaped like a real token that belongs to nobody. */
    private static final String FOREIGN_TOKEN = "x".repeat(43);

    // ------------------------------------------------------------------ claiming over REST

    @Test
    void claimAnswers201WithTheNicknameAndALongBase64UrlToken() {
        String nickname = uniqueName("alice");

        ParleyApi.Response response = this.api.post("/api/nicknames", Map.of("nickname", nickname));

        assertThat(response.status()).as(response.body()).isEqualTo(201);
        assertThat(response.contentType()).startsWith("application/json");
        JsonNode json = response.json();
        assertThat(json.path("nickname").asString()).isEqualTo(nickname);
        assertThat(json.path("token").asString()).matches(TOKEN_PATTERN);
    }

    @Test
    void everyClaimGetsItsOwnToken() {
        Claim first = this.api.claim(uniqueName("first"));
        Claim second = this.api.claim(uniqueName("second"));

        assertThat(first.token()).isNotEqualTo(second.token());
    }

    @Test
    void claimKeepsTheSpellingOfTheClaim() {
        String nickname = "Zoë" + uniqueName("x");

        Claim claim = this.api.claim(nickname);

        assertThat(claim.nickname()).isEqualTo(nickname);
    }

    @Test
    void claimingATakenNicknameInAnyCaseIsAConflict() {
        String nickname = uniqueName("alice");
        this.api.claim(nickname);

        for (String again : new String[] { nickname, nickname.toUpperCase(), capitalized(nickname) }) {
            ParleyApi.Response response = this.api.post("/api/nicknames", Map.of("nickname", again));

            assertThat(response.status()).as("claim %s after %s: %s", again, nickname, response.body())
                .isEqualTo(409);
            assertProblemWithDetail(response);
        }
    }

    @Test
    void conflictIsCaseInsensitiveForNonAsciiLettersToo() {
        String nickname = "Ærø" + uniqueName("x");
        this.api.claim(nickname);

        ParleyApi.Response response = this.api.post("/api/nicknames", Map.of("nickname", nickname.toLowerCase()));

        assertThat(response.status()).as(response.body()).isEqualTo(409);
        assertProblemWithDetail(response);
    }

    static Stream<Arguments> invalidClaimBodies() {
        return Stream.of(
                Arguments.of("empty nickname", "{\"nickname\":\"\"}"),
                Arguments.of("33 characters", "{\"nickname\":\"" + "a".repeat(33) + "\"}"),
                Arguments.of("space", "{\"nickname\":\"has space\"}"),
                Arguments.of("dot", "{\"nickname\":\"dot.ted\"}"),
                Arguments.of("at sign", "{\"nickname\":\"at@sign\"}"),
                Arguments.of("markup", "{\"nickname\":\"<b>x</b>\"}"),
                Arguments.of("emoji", "{\"nickname\":\"smile\uD83D\uDE00\"}"),
                Arguments.of("missing field", "{}"),
                Arguments.of("number", "{\"nickname\":5}"),
                Arguments.of("null", "{\"nickname\":null}"),
                Arguments.of("array", "{\"nickname\":[\"alice\"]}"),
                Arguments.of("not JSON", "not json"),
                Arguments.of("JSON array", "[]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidClaimBodies")
    void invalidNicknameIsRefusedWith400Problem(String what, String body) {
        ParleyApi.Response response = this.api.post("/api/nicknames", body);

        assertThat(response.status()).as("%s: %s", body, response.body()).isEqualTo(400);
        assertProblemWithDetail(response);
    }

    @Test
    void nicknameLengthIsCountedInCodePoints() {
        String suffix = uniqueName("u");
        String mathBoldA = new String(Character.toChars(0x1D400)); // a letter outside the BMP
        String exactly32 = mathBoldA.repeat(32 - suffix.length()) + suffix;
        String exactly33 = mathBoldA + exactly32;

        assertThat(this.api.claim(exactly32).nickname()).isEqualTo(exactly32);
        assertThat(this.api.post("/api/nicknames", Map.of("nickname", exactly33)).status()).isEqualTo(400);
    }

    @Test
    void lettersAndDigitsOfAnyScriptAreValid() {
        String nickname = "名前Δ٣" + uniqueName("x");

        assertThat(this.api.claim(nickname).nickname()).isEqualTo(nickname);
    }

    // ------------------------------------------------------------------ CONNECT

    @Test
    void connectWithoutLoginIsRefusedAsInvalidNickname() {
        Claim alice = this.api.claim(uniqueName("alice"));

        Refusal refusal = StompTestClient.connectExpectingRefusal(this.port, Transport.WEBSOCKET, null, alice.token());

        assertThat(refusal.message()).isEqualTo("invalid nickname");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "has space", "dot.ted", "semi;colon", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" })
    void connectWithMalformedLoginIsRefusedAsInvalidNickname(String login) {
        Refusal refusal = StompTestClient.connectExpectingRefusal(this.port, Transport.WEBSOCKET, login, FOREIGN_TOKEN);

        assertThat(refusal.message()).isEqualTo("invalid nickname");
    }

    @Test
    void connectWithAnotherNicknamesTokenIsRefusedAsBadCredentials() {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));

        Refusal refusal = StompTestClient.connectExpectingRefusal(this.port, Transport.WEBSOCKET, alice.nickname(),
                bob.token());

        assertThat(refusal.message()).isEqualTo("bad credentials");
    }

    @Test
    void connectWithATamperedTokenIsRefusedAsBadCredentials() {
        Claim alice = this.api.claim(uniqueName("alice"));
        String token = alice.token();
        String tampered = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");

        Refusal refusal = StompTestClient.connectExpectingRefusal(this.port, Transport.WEBSOCKET, alice.nickname(),
                tampered);

        assertThat(refusal.message()).isEqualTo("bad credentials");
    }

    @Test
    void connectWithoutPasscodeIsRefusedAsBadCredentials() {
        Claim alice = this.api.claim(uniqueName("alice"));

        Refusal refusal = StompTestClient.connectExpectingRefusal(this.port, Transport.WEBSOCKET, alice.nickname(), null);

        assertThat(refusal.message()).isEqualTo("bad credentials");
    }

    @Test
    void connectWithEmptyPasscodeIsRefusedAsBadCredentials() {
        Claim alice = this.api.claim(uniqueName("alice"));

        Refusal refusal = StompTestClient.connectExpectingRefusal(this.port, Transport.WEBSOCKET, alice.nickname(), "");

        assertThat(refusal.message()).isEqualTo("bad credentials");
    }

    @Test
    void connectAsAnUnclaimedNicknameIsRefusedAsBadCredentials() {
        Refusal refusal = StompTestClient.connectExpectingRefusal(this.port, Transport.WEBSOCKET,
                uniqueName("nobody"), FOREIGN_TOKEN);

        assertThat(refusal.message()).isEqualTo("bad credentials");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void refusedConnectIsAnsweredWithErrorThenCloseOnEveryTransport(Transport transport) {
        Claim alice = this.api.claim(uniqueName("alice"));

        Refusal badCredentials = StompTestClient.connectExpectingRefusal(this.port, transport, alice.nickname(),
                FOREIGN_TOKEN);
        Refusal invalidNickname = StompTestClient.connectExpectingRefusal(this.port, transport, "not valid!",
                alice.token());

        // connectExpectingRefusal has waited for the ERROR frame and for the close
        assertThat(badCredentials.message()).isEqualTo("bad credentials");
        assertThat(badCredentials.closeStatus()).isNotNull();
        assertThat(invalidNickname.message()).isEqualTo("invalid nickname");
        assertThat(invalidNickname.closeStatus()).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void claimedNicknameConnectsOnEveryTransport(Transport transport) {
        Claim alice = this.api.claim(uniqueName("alice"));

        try (StompTestClient client = StompTestClient.connect(this.port, transport, alice)) {
            assertThat(client.isConnected()).isTrue();
            assertThat(client.errorFrames()).isEmpty();
        }
    }

    @Test
    void loginIsCaseInsensitive() {
        Claim alice = this.api.claim(uniqueName("alice"));

        try (StompTestClient client = StompTestClient.connect(this.port, Transport.WEBSOCKET,
                alice.nickname().toUpperCase(), alice.token())) {
            assertThat(client.isConnected()).isTrue();
        }
    }

    @Test
    void eventsShowTheClaimedSpellingWhateverTheLoginCase() {
        String claimed = "Alice" + uniqueName("x");
        Claim alice = this.api.claim(claimed);
        String room = uniqueName("room");

        try (StompTestClient client = StompTestClient.connect(this.port, Transport.WEBSOCKET,
                claimed.toLowerCase(), alice.token())) {
            Subscription events = client.subscribe(topic(room));
            client.send(join(room), Map.of());
            client.send(send(room), Map.of("text", "hello"));

            JsonNode join = events.nextMatching(event -> "JOIN".equals(event.path("type").asString()));
            JsonNode message = events.nextMatching(event -> "MESSAGE".equals(event.path("type").asString()));

            assertThat(join.path("user").asString()).isEqualTo(claimed);
            assertThat(message.path("sender").asString()).isEqualTo(claimed);
        }
    }

    @Test
    void oneNicknameMayHoldSeveralConnectionsAtOnce() {
        Claim alice = this.api.claim(uniqueName("alice"));
        String room = uniqueName("room");
        StompTestClient firstTab = StompTestClient.connect(this.port, Transport.WEBSOCKET, alice);
        StompTestClient secondTab = StompTestClient.connect(this.port, Transport.SOCKJS_XHR_STREAMING, alice);
        Subscription firstEvents = firstTab.subscribe(topic(room));
        Subscription secondEvents = secondTab.subscribe(topic(room));
        firstTab.send(join(room), Map.of());
        secondTab.send(join(room), Map.of());

        firstTab.send(send(room), Map.of("text", "from the first tab"));
        assertThat(firstEvents.nextMatching(hasText("from the first tab")).path("sender").asString())
            .isEqualTo(alice.nickname());
        assertThat(secondEvents.nextMatching(hasText("from the first tab"))).isNotNull();

        secondTab.send(send(room), Map.of("text", "from the second tab"));
        assertThat(firstEvents.nextMatching(hasText("from the second tab")).path("sender").asString())
            .isEqualTo(alice.nickname());
        assertThat(secondEvents.nextMatching(hasText("from the second tab"))).isNotNull();

        firstTab.disconnect();
        secondTab.send(send(room), Map.of("text", "after the first tab closed"));
        assertThat(secondEvents.nextMatching(hasText("after the first tab closed")).path("sender").asString())
            .isEqualTo(alice.nickname());
        assertThat(secondTab.isConnected()).isTrue();
    }

    @Test
    void senderIsThePrincipalWhateverTheFrameClaims() {
        Claim alice = this.api.claim(uniqueName("alice"));
        Claim bob = this.api.claim(uniqueName("bob"));
        String room = uniqueName("room");

        try (StompTestClient listener = StompTestClient.connect(this.port, Transport.WEBSOCKET, alice);
                StompTestClient impostor = StompTestClient.connect(this.port, Transport.WEBSOCKET, bob)) {
            Subscription events = listener.subscribe(topic(room));
            impostor.send(join(room), Map.of());

            StompHeaders forged = new StompHeaders();
            forged.setDestination(send(room));
            forged.set("login", alice.nickname());
            forged.set("passcode", alice.token());
            forged.set("user-name", alice.nickname());
            forged.set("simpUser", alice.nickname());
            forged.set("sender", alice.nickname());
            impostor.send(forged, Map.of("text", "i am alice", "sender", alice.nickname(), "user", alice.nickname()));
            impostor.send(send(room), Map.of("text", "marker"));

            var messages = events.takeUntil(hasText("marker")).stream()
                .filter(event -> "MESSAGE".equals(event.path("type").asString()))
                .toList();
            // the forged frame is either posted as bob's or refused; never shown as alice's
            assertThat(messages).isNotEmpty()
                .allSatisfy(message -> assertThat(message.path("sender").asString()).isEqualTo(bob.nickname()));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static java.util.function.Predicate<JsonNode> hasText(String text) {
        return event -> "MESSAGE".equals(event.path("type").asString()) && text.equals(event.path("text").asString());
    }

    private static void assertProblemWithDetail(ParleyApi.Response response) {
        assertThat(response.isProblem()).as("problem+json, was %s", response.contentType()).isTrue();
        JsonNode detail = response.json().path("detail");
        assertThat(detail.isString()).as("detail in %s", response.body()).isTrue();
        assertThat(detail.asString()).isNotBlank();
    }

    private static String capitalized(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
