package dev.parley.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

import dev.parley.core.Nickname;
import dev.parley.core.StoreWrites;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Who owns which nickname. A claim returns a random token once; only its SHA-256 is stored.
 * <p>
 * A fast hash is the right one here: the token carries 256 random bits, so there is nothing
 * to guess by brute force, and every CONNECT verifies one.
 */
@Component
public class NicknameClaims {

    private static final int TOKEN_BYTES = 32;

    private final JdbcClient jdbc;

    private final SecureRandom random = new SecureRandom();

    private final Clock clock;

    private final StoreWrites writes;

    NicknameClaims(JdbcClient jdbc, Clock clock, StoreWrites writes) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.writes = writes;
    }

    /**
     * Claims {@code nickname} for whoever holds the returned token.
     *
     * @throws NicknameTakenException if it, in any case, is claimed already
     */
    public Claim claim(Nickname nickname) {
        byte[] bytes = new byte[TOKEN_BYTES];
        this.random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        int rows = this.writes.run(() -> this.jdbc.sql("""
                insert into nickname (name_key, name, token_hash, claimed_at)
                values (:key, :name, :hash, :at) on conflict do nothing""")
                .param("key", nickname.key())
                .param("name", nickname.value())
                .param("hash", hash(token))
                .param("at", OffsetDateTime.now(this.clock).withOffsetSameInstant(ZoneOffset.UTC))
                .update());
        if (rows == 0) {
            throw new NicknameTakenException(nickname);
        }
        return new Claim(nickname, token);
    }

    /**
     * The nickname as claimed, if {@code token} is its token; empty when nobody claimed it or
     * the token is wrong.
     */
    public Optional<Nickname> verify(Nickname login, String token) {
        return this.jdbc.sql("select name, token_hash from nickname where name_key = :key")
                .param("key", login.key())
                .query((rs, row) -> MessageDigest.isEqual(
                        rs.getString("token_hash").getBytes(StandardCharsets.US_ASCII),
                        hash(token).getBytes(StandardCharsets.US_ASCII))
                                ? new Nickname(rs.getString("name")) : null)
                .optional();
    }

    /** The nickname as claimed, if anyone claimed it (in any case). */
    public Optional<Nickname> find(Nickname nickname) {
        return this.jdbc.sql("select name from nickname where name_key = :key")
                .param("key", nickname.key())
                .query((rs, row) -> new Nickname(rs.getString("name")))
                .optional();
    }

    /**
     * The nickname whose token {@code token} is, found by the token's hash alone (an indexed
     * column): for a request that names no nickname, such as a REST call with a Bearer token.
     * A wrong token costs what a right one costs, whichever nicknames exist.
     */
    public Optional<Nickname> holderOf(String token) {
        return this.jdbc.sql("select name from nickname where token_hash = :hash")
                .param("hash", hash(token))
                .query((rs, row) -> new Nickname(rs.getString("name")))
                .optional();
    }

    private static String hash(String token) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(token.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("every JVM has SHA-256", ex);
        }
    }

    /** A granted claim: the token is shown to its owner this once and never again. */
    public record Claim(Nickname nickname, String token) {
    }

    /** The nickname is someone else's. */
    public static class NicknameTakenException extends RuntimeException {

        NicknameTakenException(Nickname nickname) {
            super("the nickname '" + nickname.value() + "' is taken", null, false, false);
        }
    }
}
