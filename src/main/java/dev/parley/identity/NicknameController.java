package dev.parley.identity;

import java.time.Duration;

import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;

import dev.parley.core.Nickname;
import dev.parley.ratelimit.RateLimits;

import org.springframework.http.HttpStatus;
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

    NicknameController(NicknameClaims claims, RateLimits limits) {
        this.claims = claims;
        this.limits = limits;
    }

    @PostMapping("/api/nicknames")
    @ResponseStatus(HttpStatus.CREATED)
    ClaimResponse claim(@RequestBody JsonNode body, HttpServletRequest request) {
        JsonNode value = body.get("nickname");
        Nickname nickname = new Nickname((value != null && value.isString()) ? value.stringValue() : null);
        Duration wait = this.limits.tryClaim(ClientAddress.key(request.getRemoteAddr()));
        if (!wait.isZero()) {
            throw new ClaimsLimitedException(wait);
        }
        NicknameClaims.Claim claim = this.claims.claim(nickname);
        return new ClaimResponse(claim.nickname().value(), claim.token());
    }

    record ClaimResponse(String nickname, String token) {
    }
}
