package dev.parley.identity;

import java.time.Duration;

import jakarta.servlet.http.HttpServletRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import tools.jackson.databind.JsonNode;

import dev.parley.core.Nickname;
import dev.parley.ratelimit.RateLimits;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/nicknames}. Claims are counted per client address (contract section 6a):
 * the peer's, or the one a trusted proxy forwarded where the operator configured one (Tomcat's
 * {@code RemoteIpValve} has then set it as the request's remote address). A claim of a taken
 * nickname counts too, so that nobody probes which names are taken at speed; an invalid one
 * does not, as it costs the server nothing.
 */
@RestController
class NicknameController {

    private final NicknameClaims claims;

    private final RateLimits limits;

    private final Counter claimRefusals;

    NicknameController(NicknameClaims claims, RateLimits limits, MeterRegistry meters) {
        this.claims = claims;
        this.limits = limits;
        this.claimRefusals = RateLimits.refusals(meters, "claim");
    }

    @PostMapping("/api/nicknames")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Claims a nickname", description = "The token is shown once: it is the passcode of every "
            + "STOMP CONNECT as this nickname. Only a hash of it is stored.")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true,
            content = @Content(schema = @Schema(implementation = ClaimRequest.class)))
    @ApiResponse(responseCode = "201", description = "Claimed",
            content = @Content(schema = @Schema(implementation = ClaimResponse.class)))
    @ApiResponse(responseCode = "409", description = "Claimed already (case-insensitively)",
            content = @Content(mediaType = "application/problem+json",
                    schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "429", description = "Too many claims from this client address",
            headers = @Header(name = "Retry-After", description = "seconds until a claim is allowed again",
                    schema = @Schema(type = "integer")),
            content = @Content(mediaType = "application/problem+json",
                    schema = @Schema(implementation = ProblemDetail.class)))
    ClaimResponse claim(@RequestBody JsonNode body, HttpServletRequest request) {
        JsonNode value = body.get("nickname");
        Nickname nickname = new Nickname((value != null && value.isString()) ? value.stringValue() : null);
        Duration wait = this.limits.tryClaim(ClientAddress.key(request.getRemoteAddr()));
        if (!wait.isZero()) {
            this.claimRefusals.increment();
            throw new ClaimsLimitedException(wait);
        }
        NicknameClaims.Claim claim = this.claims.claim(nickname);
        return new ClaimResponse(claim.nickname().value(), claim.token());
    }

    record ClaimResponse(String nickname, String token) {
    }

    /**
     * The body of a claim, for the API's description only: the body is read as JSON as it is,
     * so that a nickname that is no JSON string is refused rather than converted.
     */
    @Schema(name = "ClaimRequest")
    record ClaimRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "alice",
            description = "1-32 letters, digits, _ or -") String nickname) {
    }
}
